package io.continuo.store.duckdb;

import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.store.ProfileQuery;
import io.continuo.store.StoreFailure;
import io.continuo.store.StoreHealth;
import io.continuo.store.StoreUnavailableException;
import io.continuo.store.TestProfiles;
import io.continuo.store.TimeSeries;
import io.continuo.store.WriteBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The disk of the embedded store fills up for real (a small tmpfs): writes are refused promptly with DISK_FULL and
 * nothing half-stored, queries keep answering every acknowledged upload, health says why, and when space is freed the
 * store takes writes again by itself; a reopen at the end finds every acknowledged upload (and nothing else).
 */
class DiskFullTest {
    static final long T0 = 1_700_000_000_000L;
    static final long DAY = 86_400_000L;

    @TempDir
    Path tmp;

    private final Random random = new Random(42);
    private long acknowledged;
    private int uploads;

    /** An upload of 300 random stacks of value 1 (so sums count rows), distinct enough to grow the WAL. */
    private WriteBatch upload() {
        List<String> lines = new ArrayList<>();
        for (int j = 0; j < 300; j++) {
            lines.add("main;f" + random.nextInt(20_000) + ";g" + random.nextInt(20_000) + " 1");
        }
        return TestProfiles.batch("default", T0 + (uploads++) * 1000L, Labels.of("service", "a"),
                lines.toArray(String[]::new));
    }

    private static DuckDbConfig config(Path dir) {
        return DuckDbConfig.builder(dir).memoryLimitBytes(128L << 20).threads(1)
                .commitTimeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void fullDiskRefusesWritesKeepsQueriesAndRecoversWhenFreed() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("data"), 24)) {
            Path dir = fs.dir().resolve("store");
            DuckDbProfileStore store = DuckDbProfileStore.open(config(dir));
            Path filler = fs.fill(6L << 20);
            StoreUnavailableException refused = null;
            for (int i = 0; i < 20_000 && refused == null; i++) {
                try {
                    store.write(upload());
                    acknowledged += 300;
                } catch (StoreUnavailableException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("a write is refused once the disk is full").isNotNull();
            assertThat(refused.failure()).isEqualTo(StoreFailure.DISK_FULL);
            assertThat(refused.nothingStored()).isTrue();
            assertThat(acknowledged).isPositive();

            // Refused promptly while full, and counted.
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                try {
                    store.write(upload());
                    fail("a write was accepted on a full disk");
                } catch (StoreUnavailableException e) {
                    assertThat(e.failure()).isEqualTo(StoreFailure.DISK_FULL);
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            StoreHealth health = store.health();
            assertThat(health.healthy()).isFalse();
            assertThat(health.failure()).isEqualTo(StoreFailure.DISK_FULL);
            assertThat(health.writeFailures().get("disk_full")).isGreaterThanOrEqualTo(6);

            // Queries answer from what is stored, flame graph and time series alike.
            assertConsistent(store, acknowledged);

            // Space returns: writes resume by themselves.
            Files.delete(filler);
            awaitHealthy(store);
            store.write(upload());
            acknowledged += 300;
            assertConsistent(store, acknowledged);
            store.close();

            try (DuckDbProfileStore reopened = DuckDbProfileStore.open(config(dir))) {
                assertConsistent(reopened, acknowledged);
                assertThat(reopened.health().healthy()).isTrue();
            }
        }
    }

    @Test
    void storeOpenedOnAFullDiskAnswersQueriesAndResumesWhenFreed() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("data"), 24)) {
            Path dir = fs.dir().resolve("store");
            try (DuckDbProfileStore store = DuckDbProfileStore.open(config(dir))) {
                for (int i = 0; i < 20; i++) {
                    store.write(upload());
                    acknowledged += 300;
                }
            }
            Path filler = fs.fill(0);
            DuckDbProfileStore store = DuckDbProfileStore.open(config(dir));
            try {
                assertConsistent(store, acknowledged);
                try {
                    store.write(upload());
                    acknowledged += 300; // a write may still fit in what the filler left
                } catch (StoreUnavailableException e) {
                    assertThat(e.failure()).isIn(StoreFailure.DISK_FULL, StoreFailure.IO_ERROR);
                }
                Files.delete(filler);
                awaitHealthy(store);
                store.write(upload());
                acknowledged += 300;
                assertConsistent(store, acknowledged);
            } finally {
                store.close();
            }
        }
    }

    static void awaitHealthy(DuckDbProfileStore store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!store.health().healthy()) {
            if (System.nanoTime() > deadline) {
                fail("the store did not recover within 30 s after space was freed: " + store.health());
            }
            Thread.sleep(50);
        }
    }

    static void assertConsistent(DuckDbProfileStore store, long expected) {
        ProfileQuery q = new ProfileQuery("default", "cpu", Selector.ALL, T0, T0 + DAY);
        long flame = store.flameGraph(q).total();
        long series = 0;
        for (TimeSeries ts : store.totals(q, DAY, List.of())) {
            for (double v : ts.values()) {
                series += (long) v;
            }
        }
        assertThat(flame).as("flame graph total").isEqualTo(expected);
        assertThat(series).as("time series total").isEqualTo(expected);
    }
}
