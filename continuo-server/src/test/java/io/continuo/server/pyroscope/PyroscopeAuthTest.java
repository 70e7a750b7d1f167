package io.continuo.server.pyroscope;

import io.continuo.server.ServerConfig;
import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import io.continuo.server.pyroscope.ConnectClient.Encoding;
import io.continuo.server.pyroscope.proto.QuerierProto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** API keys and tenants on the Pyroscope API, as Grafana sends them (Authorization and X-Scope-OrgID). */
class PyroscopeAuthTest {
    static final String CPU = PyroscopeQueryApiTest.CPU;
    static final String Q = PyroscopeApi.QUERIER;

    @TempDir
    static Path dataDir;
    static TestServer server;
    static final long NOW = System.currentTimeMillis();

    @BeforeAll
    static void start() {
        server = new TestServer(ServerConfig.defaults().withDataDir(dataDir).withSelfProfile(false)
                .withApiKeys(Map.of("acme-key", "acme", "admin-key", "")));
        long s = NOW / 1000;
        TestServer.Response r = server.post("/api/v1/ingest?service=shopgen&format=pprof&from=" + (s - 60) + "&until=" + (s - 50),
                TestData.bytes("go119.cpu.pb.gz"), Map.of("Authorization", "Bearer acme-key", "Content-Type", "application/octet-stream"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static QuerierProto.ProfileTypesRequest types() {
        return QuerierProto.ProfileTypesRequest.newBuilder().setStart(NOW - 3_600_000).setEnd(NOW + 60_000).build();
    }

    private static long cpuTotal(ConnectClient c) {
        return c.call(Q + "SelectMergeStacktraces", QuerierProto.SelectMergeStacktracesRequest.newBuilder()
                        .setProfileTypeID(CPU).setLabelSelector("{service_name=\"shopgen\"}")
                        .setStart(NOW - 3_600_000).setEnd(NOW + 60_000).build(),
                QuerierProto.SelectMergeStacktracesResponse.getDefaultInstance(), Encoding.PROTO).getFlamegraph().getTotal();
    }

    @Test
    void noKeyIsRefused() {
        ConnectClient anonymous = new ConnectClient(server.base());
        assertThat(anonymous.raw(Q + "ProfileTypes", ConnectClient.encode(types(), Encoding.PROTO), "application/proto").status()).isEqualTo(401);
        assertThat(anonymous.raw(Q + "ProfileTypes", "{}".getBytes(), "application/json").status()).isEqualTo(401);
        ConnectClient wrong = new ConnectClient(server.base()).header("Authorization", "Bearer nope");
        assertThat(wrong.raw(Q + "SelectMergeStacktraces", "{}".getBytes(), "application/json").status()).isEqualTo(401);
        assertThat(server.get("/pyroscope/render?query=shopgen.cpu").status()).isEqualTo(401);
        assertThat(server.get("/pyroscope/label-values?label=service_name").status()).isEqualTo(401);
    }

    @Test
    void aTenantSeesOnlyItsOwnData() {
        ConnectClient acme = new ConnectClient(server.base()).header("Authorization", "Bearer acme-key");
        assertThat(cpuTotal(acme)).isEqualTo(3_220_000_000L);
        ConnectClient adminAsAcme = new ConnectClient(server.base()).header("Authorization", "Bearer admin-key").header("X-Scope-OrgID", "acme");
        assertThat(cpuTotal(adminAsAcme)).isEqualTo(3_220_000_000L);
        ConnectClient other = new ConnectClient(server.base()).header("Authorization", "Bearer admin-key").header("X-Scope-OrgID", "other");
        assertThat(cpuTotal(other)).isZero();
        assertThat(other.call(Q + "ProfileTypes", types(), QuerierProto.ProfileTypesResponse.getDefaultInstance(), Encoding.JSON)
                .getProfileTypesCount()).isZero();
        assertThat(server.get("/pyroscope/render?query=shopgen.cpu&from=now-1h",
                Map.of("Authorization", "Bearer admin-key", "X-Scope-OrgID", "other")).json().path("flamebearer").path("numTicks").asLong()).isZero();
        assertThat(server.get("/pyroscope/render?query=shopgen.cpu&from=now-1h",
                Map.of("Authorization", "Bearer acme-key")).json().path("flamebearer").path("numTicks").asLong()).isEqualTo(3_220_000_000L);
        // a key bound to a tenant may not name another
        ConnectClient acmeAsOther = new ConnectClient(server.base()).header("Authorization", "Bearer acme-key").header("X-Scope-OrgID", "other");
        assertThat(acmeAsOther.raw(Q + "ProfileTypes", "{}".getBytes(), "application/json").status()).isEqualTo(403);
    }
}
