package io.continuo.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcThreadCpuTest {
    // A real line from /proc/self/task/<tid>/stat (JDK 17), utime 43, stime 7.
    private static final String STAT = "21261 (JFR Thread Samp) S 21229 21229 21190 34816 21229 1077936192 12 0 0 0 "
            + "43 7 0 0 20 0 19 0 95811 3663736832 11375 18446744073709551615 1 1 0 0 0 0 4 2 16391 0 0 0 -1 1 0 0 0 0 0 "
            + "0 0 0 0 0 0 0";

    @Test
    void statCpuIsUtimePlusStimeCountedAfterTheLastParenthesis() {
        assertThat(ProcThreadCpu.parseStatCpuTicks(STAT)).isEqualTo(50);
        // A name with spaces and parentheses (threads can be named anything) must not shift the fields.
        String tricky = STAT.replace("(JFR Thread Samp)", "(a) b (c) 1 2 3)");
        assertThat(ProcThreadCpu.parseStatCpuTicks(tricky)).isEqualTo(50);
        assertThat(ProcThreadCpu.parseStatCpuTicks("1 (x) S 1 2 3")).isEqualTo(-1);
        assertThat(ProcThreadCpu.parseStatCpuTicks("garbage")).isEqualTo(-1);
        assertThat(ProcThreadCpu.parseStatCpuTicks(STAT.replace(" 43 7 ", " x 7 "))).isEqualTo(-1);
        assertThat(ProcThreadCpu.parseStatCpuTicks("")).isEqualTo(-1);
    }

    @Test
    void schedstatIsNanosecondsOnCpu() {
        assertThat(ProcThreadCpu.parseSchedstat("8894981 26940846 301\n")).isEqualTo(8_894_981L);
        assertThat(ProcThreadCpu.parseSchedstat("123")).isEqualTo(123);
        assertThat(ProcThreadCpu.parseSchedstat("")).isEqualTo(-1);
        assertThat(ProcThreadCpu.parseSchedstat("-5 1 1")).isEqualTo(-1);
        assertThat(ProcThreadCpu.parseSchedstat("abc 1 1")).isEqualTo(-1);
    }

    @Test
    void agentThreadsAreOursAndJfrsByKernelName() {
        for (String n : new String[] {"continuo-jfr", "continuo-upload", "continuo-shutdo", "JFR Recorder Th",
                "JFR Periodic Ta", "JFR Thread Samp", "JFR Sampler Thr", "JFR Event Strea", "JFR Shutdown Ho"}) {
            assertThat(ProcThreadCpu.isAgentThread(n)).as(n).isTrue();
        }
        for (String n : new String[] {"java", "C2 CompilerThre", "VM Thread", "GC Thread#0", "main", "JFRish", "continuo"}) {
            assertThat(ProcThreadCpu.isAgentThread(n)).as(n).isFalse();
        }
    }

    @Test
    void clockTicksComeFromAuxvOrDefaultTo100() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(6).putLong(4096).putLong(17).putLong(250).putLong(0).putLong(0);
        assertThat(ProcThreadCpu.clockTicks(b.array())).isEqualTo(250);
        assertThat(ProcThreadCpu.clockTicks(new byte[0])).isEqualTo(100);
        assertThat(ProcThreadCpu.ticksPerSecond(Path.of("/nonexistent/auxv"))).isEqualTo(100);
    }

    @Test
    void sumsOnlyAgentThreadsAndKeepsTheShareOfThreadsThatExit(@TempDir Path dir) throws Exception {
        task(dir, "100", "java", 999, 999);
        task(dir, "101", "continuo-jfr", 10, 5);
        task(dir, "102", "JFR Recorder Th", 3, 2);
        task(dir, "103", "C2 CompilerThre", 500, 0);
        ProcThreadCpu p = new ProcThreadCpu(dir, 100, false);
        assertThat(p.agentCpuNanos()).isEqualTo(20 * 10_000_000L);
        assertThat(p.watchedThreads()).isEqualTo(2);
        task(dir, "101", "continuo-jfr", 12, 6);
        assertThat(p.agentCpuNanos()).isEqualTo(23 * 10_000_000L);
        // Thread 102 exits: what it used stays counted; a new JFR thread is picked up at a rescan.
        deleteTask(dir, "102");
        task(dir, "104", "JFR Shutdown Ho", 1, 0);
        assertThat(p.agentCpuNanos()).isEqualTo(24 * 10_000_000L);
        assertThat(p.watchedThreads()).isEqualTo(2);
    }

    @Test
    void unreadableProcReadsAsFailure(@TempDir Path dir) {
        assertThat(new ProcThreadCpu(dir.resolve("missing"), 100, false).agentCpuNanos()).isEqualTo(-1);
    }

    @Test
    void readsThisJvmsThreadsWhereProcExists() throws Exception {
        ProcThreadCpu p = ProcThreadCpu.forThisProcess();
        if (p == null) return; // not Linux
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread burner = new Thread(() -> {
            double x = 0;
            while (!stop.get()) x += Math.sqrt(x + 1);
            if (x == 42) System.out.println();
        }, "continuo-test-burner");
        burner.start();
        try {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            // Wait for the thread to exist in /proc, then measure until the JVM's own clock says it burned 150 ms:
            // on a loaded machine that takes longer, but the verdict compares the two readings, not wall time.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (mx.getThreadCpuTime(burner.getId()) < 10_000_000L && System.nanoTime() < deadline) Thread.sleep(10);
            long before = p.agentCpuNanos(); // first readings always rescan: the new thread is seen
            long jvmBefore = mx.getThreadCpuTime(burner.getId());
            while (mx.getThreadCpuTime(burner.getId()) - jvmBefore < 150_000_000L && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long cpu = p.agentCpuNanos() - before;
            long jvm = mx.getThreadCpuTime(burner.getId()) - jvmBefore;
            assertThat(jvm).as("the burner ran").isGreaterThanOrEqualTo(150_000_000L);
            // /proc sees the same thread: the same CPU, give or take scheduler-tick granularity (10 ms) at each end.
            assertThat(cpu).isBetween(jvm - 30_000_000L, jvm + 60_000_000L);
        } finally {
            stop.set(true);
            burner.join();
        }
    }

    private static void task(Path dir, String tid, String comm, long utime, long stime) throws Exception {
        Path t = Files.createDirectories(dir.resolve(tid));
        Files.writeString(t.resolve("comm"), comm + "\n");
        Files.writeString(t.resolve("stat"), STAT.replace("21261", tid).replace("JFR Thread Samp", comm)
                .replace(" 43 7 ", " " + utime + " " + stime + " "));
    }

    private static void deleteTask(Path dir, String tid) throws Exception {
        Path t = dir.resolve(tid);
        try (var s = Files.list(t)) {
            for (Path f : s.toList()) Files.delete(f);
        }
        Files.delete(t);
    }
}
