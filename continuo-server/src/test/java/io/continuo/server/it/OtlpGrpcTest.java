package io.continuo.server.it;

import io.continuo.formats.otlp.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.continuo.formats.otlp.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.continuo.server.it.OtlpRequests.PERIOD;
import static io.continuo.server.it.OtlpRequests.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * OTLP/gRPC with a real gRPC client (grpc-java over Netty, HTTP/2 cleartext by prior knowledge), as the Collector's
 * {@code otlp} exporter and the eBPF profiler send: to the server's one port, with and without gzip, API keys as
 * metadata, and a broken message answered with a gRPC status, not a crash.
 */
class OtlpGrpcTest {
    static final String METHOD = "opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export";
    static final MethodDescriptor<ExportProfilesServiceRequest, ExportProfilesServiceResponse> EXPORT =
            MethodDescriptor.<ExportProfilesServiceRequest, ExportProfilesServiceResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(METHOD)
                    .setRequestMarshaller(ProtoUtils.marshaller(ExportProfilesServiceRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(ExportProfilesServiceResponse.getDefaultInstance()))
                    .build();
    /** The same method with raw bytes, to send what no OTLP client would. */
    static final MethodDescriptor<byte[], byte[]> RAW = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(METHOD)
            .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes()).build();

    @TempDir
    static Path dir;
    static TestServer open;
    static TestServer keyed;

    @BeforeAll
    static void start() {
        ServerConfig base = ServerConfig.defaults().withSelfProfile(false);
        open = new TestServer(base.withDataDir(dir.resolve("open")));
        keyed = new TestServer(base.withDataDir(dir.resolve("keyed")).withApiKeys(Map.of("grpc-key", "team-a")));
    }

    @AfterAll
    static void stop() {
        open.close();
        keyed.close();
    }

    static ManagedChannel channel(TestServer server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.server().port()).usePlaintext().build();
    }

    static ExportProfilesServiceRequest request(String service, int samples) {
        OtlpRequests r = new OtlpRequests();
        int stack = r.stack("grpc.Leaf", "grpc.Main");
        r.resource(Map.of("service.name", service), r.cpuProfile(System.currentTimeMillis()).addSamples(sample(stack, samples)));
        try {
            return ExportProfilesServiceRequest.parseFrom(r.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long total(TestServer server, String service, Map<String, String> headers) {
        String query = URLEncoder.encode("{service=\"" + service + "\"}", StandardCharsets.UTF_8);
        TestServer.Response r = server.get("/api/v1/query/flamegraph?type=cpu&from=now-1h&until=now%2B1h&query=" + query, headers);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("total").asLong();
    }

    static void shutdown(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void exportOverGrpcIsStoredAndReadBackOverHttp() throws Exception {
        ManagedChannel channel = channel(open);
        try {
            ExportProfilesServiceResponse plain = ClientCalls.blockingUnaryCall(channel, EXPORT,
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request("grpc-plain", 7));
            assertThat(plain.hasPartialSuccess()).isFalse();
            ExportProfilesServiceResponse gzipped = ClientCalls.blockingUnaryCall(channel, EXPORT,
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS).withCompression("gzip"), request("grpc-gzip", 3));
            assertThat(gzipped.hasPartialSuccess()).isFalse();
        } finally {
            shutdown(channel);
        }
        // durable and queryable once the call returned
        assertThat(total(open, "grpc-plain", Map.of())).isEqualTo(7 * PERIOD);
        assertThat(total(open, "grpc-gzip", Map.of())).isEqualTo(3 * PERIOD);
        // HTTP/1.1 still works on the same port
        assertThat(open.get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void apiKeysTravelAsMetadataAndAMissingKeyIsUnauthenticated() throws Exception {
        ManagedChannel channel = channel(keyed);
        try {
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, EXPORT,
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request("grpc-keyed", 2)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                        assertThat(e.getStatus().getDescription()).contains("missing API key");
                    });
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer grpc-key");
            Channel authed = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(auth));
            ExportProfilesServiceResponse ok = ClientCalls.blockingUnaryCall(authed, EXPORT,
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request("grpc-keyed", 2));
            assertThat(ok.hasPartialSuccess()).isFalse();
        } finally {
            shutdown(channel);
        }
        // the key is bound to team-a: the profile is that tenant's
        assertThat(total(keyed, "grpc-keyed", Map.of("Authorization", "Bearer grpc-key"))).isEqualTo(2 * PERIOD);
    }

    @Test
    void aBrokenMessageIsInvalidArgumentNamingTheProblemAndTheServerStaysUp() throws Exception {
        ManagedChannel channel = channel(open);
        try {
            byte[] truncated = request("grpc-broken", 5).toByteArray();
            byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 7);
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, RAW,
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), cut))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).startsWith("otlp: ");
                    });
            // the channel (and the server) keep working
            ClientCalls.blockingUnaryCall(channel, EXPORT, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                    request("grpc-after", 1));
        } finally {
            shutdown(channel);
        }
        assertThat(total(open, "grpc-after", Map.of())).isEqualTo(PERIOD);
        assertThat(total(open, "grpc-broken", Map.of())).isZero();
    }

    /** byte[] as a gRPC message, unchanged. */
    static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
