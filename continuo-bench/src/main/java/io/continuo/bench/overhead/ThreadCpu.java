package io.continuo.bench.overhead;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of every thread of this process by name, from /proc/self/task/N/stat: unlike ThreadMXBean it sees the
 * JVM's native threads too (JFR's recorder and sampler, GC, JIT, async-profiler's), which is where profilers spend.
 * Names are the kernel's (the first 15 characters of a Java thread's name) with trailing digits and '#' removed, so
 * "GC Thread#1" and "worker-3" count as "GC Thread" and "worker". Empty where there is no procfs.
 */
final class ThreadCpu {
    /** Linux reports utime and stime in USER_HZ ticks, 100 per second on every mainstream architecture. */
    private static final long MILLIS_PER_TICK = 10;
    /** utime and stime are fields 14 and 15 of stat; counted after the ')' closing the name, they are 12 and 13. */
    private static final int UTIME_AFTER_NAME = 12;

    private ThreadCpu() {}

    /** Milliseconds of CPU per thread name since each thread started; threads that ended are gone. */
    static Map<String, Long> snapshot() {
        Map<String, Long> out = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // The thread ended between listing and reading.
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open) continue;
                String name = stat.substring(open + 1, close).replaceAll("[-#]?[0-9]+$", "").trim();
                String[] f = stat.substring(close + 2).split(" ");
                long ticks = Long.parseLong(f[UTIME_AFTER_NAME - 1]) + Long.parseLong(f[UTIME_AFTER_NAME]);
                out.merge(name, ticks * MILLIS_PER_TICK, Long::sum);
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }

    /** {@code end - start} per name (threads born in the window count whole), largest first, as name=ms;... */
    static String delta(Map<String, Long> start, Map<String, Long> end) {
        List<Map.Entry<String, Long>> d = new ArrayList<>();
        for (Map.Entry<String, Long> e : end.entrySet()) {
            long ms = e.getValue() - start.getOrDefault(e.getKey(), 0L);
            if (ms > 0) d.add(Map.entry(e.getKey(), ms));
        }
        d.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        return d.stream().map(e -> e.getKey().replace(' ', '_') + "=" + e.getValue()).collect(Collectors.joining(";"));
    }
}
