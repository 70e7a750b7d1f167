package io.continuo.store.duckdb;

import io.continuo.model.Selector;
import io.continuo.store.ProfileQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.continuo.store.duckdb.DuckDbProfileStoreTest.HOUR;
import static io.continuo.store.duckdb.DuckDbProfileStoreTest.T0;
import static io.continuo.store.duckdb.DuckDbProfileStoreTest.app;
import static io.continuo.store.TestProfiles.batch;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 right after write() returned: a child JVM writes uploads and prints each acknowledged one; the parent
 * destroys it forcibly (SIGKILL) mid-stream, reopens the store and checks every acknowledged upload is there.
 */
class CrashDurabilityTest {
    @TempDir
    Path dir;

    /** The child: writes until killed, one line per acknowledged upload. */
    public static void main(String[] args) {
        DuckDbProfileStore store = DuckDbProfileStore.open(DuckDbConfig.builder(Path.of(args[0]))
                .memoryLimitBytes(128L << 20).threads(1).build());
        for (int i = 0; ; i++) {
            store.write(batch("default", T0 + i * 1_000L, app("a"), "main;work 1", "main;other;x 2"));
            System.out.println("ACK " + (i + 1));
            System.out.flush();
        }
    }

    @Test
    void acknowledgedWritesSurviveKill9() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashDurabilityTest.class.getName(), dir.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acknowledged = Integer.parseInt(line.substring(4));
                    if (acknowledged >= 150) {
                        child.destroyForcibly();
                        break;
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(acknowledged).isGreaterThanOrEqualTo(150);
        try (DuckDbProfileStore store = DuckDbProfileStore.open(DuckDbConfig.builder(dir).threads(1).build())) {
            long total = store.flameGraph(new ProfileQuery("default", "cpu", Selector.ALL, T0, T0 + 100 * HOUR))
                    .total();
            assertThat(total / 3).isGreaterThanOrEqualTo(acknowledged);
            assertThat(total % 3).isZero();
        }
    }
}
