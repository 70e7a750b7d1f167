package io.continuo.server.chaos;

import io.continuo.store.duckdb.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server as a process under abuse: concurrent uploaders while it is killed with SIGKILL at random moments,
 * restarted, its disk filled and freed, stopped with SIGTERM. After every restart the store must hold every
 * acknowledged upload and nothing that was answered "nothing stored" (acknowledged <= stored <= acknowledged +
 * in flight), with flame-graph totals equal to time-series totals for every uploader's selector: no half-written
 * upload. Bounded to about a minute on two busy cores. The seed is printed; CHAOS_SEED repeats a run.
 */
class ChaosTest {
    private static final int KILL_ROUNDS = 4;

    @TempDir
    Path tmp;

    private static long seed() {
        String fixed = System.getenv("CHAOS_SEED");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println("ChaosTest seed " + seed + " (CHAOS_SEED=" + seed + " repeats it)");
        return seed;
    }

    @Test
    void killMinus9AtRandomMomentsLosesNothingAcknowledgedAndHalfWritesNothing() throws Exception {
        long seed = seed();
        Random random = new Random(seed);
        Path data = tmp.resolve("data");
        Path log = tmp.resolve("server.log");
        Uploaders uploaders = new Uploaders(System.currentTimeMillis() - 2 * 3_600_000L, seed);
        for (int round = 0; round < KILL_ROUNDS; round++) {
            try (ServerProcess server = ServerProcess.start(data, log)) {
                StoreChecks.assertLedger(server.base(), uploaders, "after restart " + round);
                uploaders.start(server.base());
                Thread.sleep(500 + random.nextInt(2500));
                server.kill();
                uploaders.stop();
            }
        }
        try (ServerProcess server = ServerProcess.start(data, log)) {
            StoreChecks.assertLedger(server.base(), uploaders, "after the last kill");
        }
        assertThat(uploaders.acknowledged.get()).as("uploads acknowledged across the rounds " + uploaders.statuses)
                .isPositive();
    }

    /**
     * Fill the data directory's file system, free it, continue, SIGTERM, restart, SIGKILL, restart: refusals are
     * prompt 507s with Retry-After, /healthz says disk_full and recovers by itself, nothing acknowledged is lost.
     */
    @Test
    void diskFullThenFreedThenTermAndKill() throws Exception {
        long seed = seed();
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("disk"), 48)) {
            Path data = fs.dir().resolve("data");
            Path log = tmp.resolve("server.log");
            Uploaders uploaders = new Uploaders(System.currentTimeMillis() - 2 * 3_600_000L, seed);
            try (ServerProcess server = ServerProcess.start(data, log)) {
                uploaders.start(server.base());
                awaitAcknowledged(uploaders, 1);
                Path filler = fs.fill(1L << 20);
                long deadline = System.nanoTime() + 90_000_000_000L;
                while (uploaders.count(507) < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(uploaders.count(507)).as("507 answers on a full disk; answers so far " + uploaders.statuses
                        + ", refusals " + uploaders.refusals).isGreaterThanOrEqualTo(3);
                HttpResponse<String> health = StoreChecks.get(server.base(), "/healthz");
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("\"reason\":\"disk_full\"");
                assertThat(StoreChecks.get(server.base(), "/metrics").body())
                        .containsPattern("continuo_store_write_failures_total\\{reason=\"disk_full\"} [1-9]");
                uploaders.stop();
                assertThat(uploaders.refusals).anySatisfy(r -> assertThat(r).startsWith("507 ").contains("disk"));
                assertThat(uploaders.refusals).as("every refusal says when to retry")
                        .allSatisfy(r -> assertThat(r).doesNotStartWith("507 - ").doesNotStartWith("503 - "));
                assertThat(uploaders.slowestRefusalMillis.get()).as("refusals are prompt").isLessThan(20_000);
                // Queries keep answering from what is stored.
                StoreChecks.assertLedger(server.base(), uploaders, "while the disk is full");

                Files.delete(filler);
                awaitHealthy(server);
                long before = uploaders.acknowledged.get();
                uploaders.start(server.base());
                awaitAcknowledged(uploaders, before + 1);
                uploaders.stop();
                StoreChecks.assertLedger(server.base(), uploaders, "after space was freed");
                server.terminate();
            }
            try (ServerProcess server = ServerProcess.start(data, log)) {
                StoreChecks.assertLedger(server.base(), uploaders, "after SIGTERM and restart");
                uploaders.start(server.base());
                awaitAcknowledged(uploaders, uploaders.acknowledged.get() + 1);
                server.kill();
                uploaders.stop();
            }
            try (ServerProcess server = ServerProcess.start(data, log)) {
                StoreChecks.assertLedger(server.base(), uploaders, "after SIGKILL and restart");
            }
        }
    }

    private static void awaitAcknowledged(Uploaders u, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (u.acknowledged.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("uploads not acknowledged within 60 s: " + u.statuses + " " + u.refusals);
            }
            Thread.sleep(20);
        }
    }

    private static void awaitHealthy(ServerProcess server) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            HttpResponse<String> r = StoreChecks.get(server.base(), "/healthz");
            if (r.statusCode() == 200) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/healthz still " + r.statusCode() + " " + r.body() + " 60 s after space was freed");
            }
            Thread.sleep(100);
        }
    }
}
