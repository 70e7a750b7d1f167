package io.continuo.server.pyroscope;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A Connect unary client over our message definitions, the way Grafana's Go client (binary) and the Drilldown app
 * (JSON) call Pyroscope. JSON goes through protobuf's own JsonFormat, independent of the server's codec. Responses
 * are accepted gzipped, as connect-go asks for them.
 */
final class ConnectClient {
    enum Encoding { PROTO, JSON }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private boolean gzipRequests;

    ConnectClient(String base) {
        this.base = base;
    }

    ConnectClient header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    ConnectClient gzipRequests(boolean on) {
        gzipRequests = on;
        return this;
    }

    /** A call's raw outcome: status, content type and (decompressed) body. */
    record Raw(int status, String contentType, byte[] body, boolean gzipped) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Calls {@code path} and parses a 200 answer into {@code responseType}; other statuses throw with the body. */
    <T extends Message> T call(String path, Message request, T responseType, Encoding encoding) {
        Raw raw = raw(path, encode(request, encoding), encoding == Encoding.JSON ? "application/json" : "application/proto");
        if (raw.status != 200) {
            throw new IllegalStateException(path + " answered " + raw.status + ": " + raw.text());
        }
        if (!raw.contentType.startsWith(encoding == Encoding.JSON ? "application/json" : "application/proto")) {
            throw new IllegalStateException(path + " answered in " + raw.contentType);
        }
        try {
            Message.Builder b = responseType.newBuilderForType();
            if (encoding == Encoding.JSON) {
                JsonFormat.parser().merge(raw.text(), b);
            } else {
                b.mergeFrom(raw.body);
            }
            @SuppressWarnings("unchecked")
            T out = (T) b.build();
            return out;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(path + ": unreadable answer " + raw.text(), e);
        }
    }

    static byte[] encode(Message request, Encoding encoding) {
        try {
            return encoding == Encoding.JSON
                    ? JsonFormat.printer().print(request).getBytes(StandardCharsets.UTF_8)
                    : request.toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    Raw raw(String path, byte[] body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .header("Connect-Protocol-Version", "1")
                .header("Accept-Encoding", "gzip");
        headers.forEach(b::header);
        if (gzipRequests) {
            b.header("Content-Encoding", "gzip");
            body = gzip(body);
        }
        try {
            HttpResponse<byte[]> r = http.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            byte[] out = r.body();
            boolean gzipped = r.headers().firstValue("Content-Encoding").map("gzip"::equalsIgnoreCase).orElse(false);
            if (gzipped) {
                out = gunzip(out);
            }
            return new Raw(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), out, gzipped);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] data) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
