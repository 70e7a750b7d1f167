package io.continuo.bench.overhead;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Agent overhead (issue #4): the same {@link MixedWorkload} in a fresh child JVM per run, with no profiler, the
 * Continuo agent at its defaults, the Pyroscope Java agent, and JFR's {@code profile} settings. Configurations run in
 * interleaved rounds (round r starts at configuration r and goes round-robin) so drift on a shared machine hits all
 * of them alike; {@code none2} is a second no-profiler run per round whose ratio to {@code none} is the A/A noise floor.
 * <p>
 * Per round each configuration is compared with that round's {@code none}: throughput ratio, p99 latency ratio, CPU
 * per request ratio and the VmRSS difference at the end of the window; the table gives min, median and max over rounds.
 * Both agents upload to one Continuo server started for the run in its own JVM (self-profiling off); its CPU time
 * per run is reported, and the services and profile types it received are printed at the end.
 * <p>
 * Args (key=value, all optional): rounds=5 seconds=15 warmup=10 threads=4 heap=256m
 * configs=none,continuo,pyroscope,jfr,none2 continuoAgent=PATH continuoServer=PATH pyroscopeAgent=PATH dir=PATH (logs; default a temp dir).
 * Run: {@code mvn -q install -DskipTests && mvn -q -pl continuo-bench exec:java@overhead -Dexec.args="rounds=5 seconds=15"}
 */
public final class OverheadBenchmark {
    private static final String HEAP_PATTERN = "[0-9]+[kKmMgG]?";
    /** Headroom for JVM start, agent attach and the agents' exit work beyond warm-up plus window. */
    private static final long CHILD_TIMEOUT_SLACK_SECONDS = 120;
    private static final int THREADS_SHOWN = 10;
    private static final List<String> KEYS = List.of("rounds", "seconds", "warmup", "threads", "heap", "configs",
            "continuoAgent", "continuoServer", "pyroscopeAgent", "dir");

    private final int rounds;
    private final int seconds;
    private final int warmup;
    private final int threads;
    private final String heap;
    private final List<String> configs;
    private final Map<String, String> args;
    private final Path dir;

    private OverheadBenchmark(Map<String, String> a) throws IOException {
        for (String k : a.keySet()) {
            if (!KEYS.contains(k)) throw new IllegalArgumentException("unknown argument '" + k + "', expected some of " + KEYS);
        }
        args = a;
        rounds = Args.intArg(a, "rounds", 5, 1, 100);
        seconds = Args.intArg(a, "seconds", 15, 1, 3600);
        warmup = Args.intArg(a, "warmup", 10, 0, 3600);
        threads = Args.intArg(a, "threads", 4, 1, 256);
        heap = a.getOrDefault("heap", "256m");
        if (!heap.matches(HEAP_PATTERN)) throw new IllegalArgumentException("heap: expected a JVM size such as 256m, got '" + heap + "'");
        configs = List.of(a.getOrDefault("configs", String.join(",", Setup.ALL)).split(","));
        for (String c : configs) {
            if (!Setup.ALL.contains(c)) throw new IllegalArgumentException("configs: unknown '" + c + "', expected some of " + Setup.ALL);
        }
        if (!configs.contains(Setup.NONE)) throw new IllegalArgumentException("configs: must include the baseline '" + Setup.NONE + "'");
        dir = a.containsKey("dir") ? Files.createDirectories(Path.of(a.get("dir")))
                : Files.createTempDirectory("continuo-overhead-");
    }

    public static void main(String[] args) throws Exception {
        new OverheadBenchmark(Args.parse(args)).run();
    }

    private void run() throws Exception {
        Path classes = Artifacts.benchClasses();
        boolean agents = configs.contains(Setup.CONTINUO) || configs.contains(Setup.PYROSCOPE);
        Path continuoJar = configs.contains(Setup.CONTINUO)
                ? Artifacts.snapshot(Artifacts.continuoAgent(args.get("continuoAgent")), dir, "continuo-agent.jar") : null;
        Path pyroscopeJar = configs.contains(Setup.PYROSCOPE) ? Artifacts.pyroscopeAgent(args.get("pyroscopeAgent")) : null;
        Path serverJar = agents ? Artifacts.snapshot(Artifacts.continuoServer(args.get("continuoServer")), dir, "continuo-server.jar") : null;
        System.out.printf(Locale.ROOT, "overhead: %d rounds x %s, %ds warm-up + %ds window, %d threads, heap %s, %d cores; logs in %s%n",
                rounds, configs, warmup, seconds, threads, heap, Runtime.getRuntime().availableProcessors(), dir);

        ServerProcess server = agents ? ServerProcess.start(serverJar, dir.resolve("server-data"), dir.resolve("server.log")) : null;
        try {
            String url = server == null ? "" : server.url();
            Map<String, Setup> setups = new LinkedHashMap<>();
            for (String c : configs) {
                setups.put(c, switch (c) {
                    case Setup.CONTINUO -> Setup.continuo(continuoJar, url);
                    case Setup.PYROSCOPE -> Setup.pyroscope(pyroscopeJar, url);
                    case Setup.JFR -> Setup.jfr(dir.resolve("recording.jfr"));
                    default -> Setup.none(c);
                });
            }
            List<Sample> samples = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < configs.size(); i++) {
                    Setup s = setups.get(configs.get((r + i) % configs.size()));
                    Sample sample = runChild(s, r, classes, server);
                    samples.add(sample);
                    System.out.printf(Locale.ROOT, "round %d %-9s %9.1f req/s  p99 %8.1f us  cpu %6.2f s/Mreq  rss %6.1f MiB  hwm %6.1f MiB  gc %d/%d ms  server cpu %.2f s%s%n",
                            r + 1, s.name(), sample.opsPerSec(), sample.p99Us(), sample.cpuPerMillionOps(),
                            sample.rssKb() / 1024.0, sample.hwmKb() / 1024.0, sample.gcCount(), sample.gcMillis(), sample.serverCpuSeconds(),
                            sample.jfrBytes() > 0 ? String.format(Locale.ROOT, "  jfr %.1f MiB", sample.jfrBytes() / 1048576.0) : "");
                    System.out.println("        cpu ms by thread: " + threadLine(dir.resolve(String.format(Locale.ROOT, "round%d-%s.out", r + 1, s.name()))));
                }
            }
            String table = Report.table(samples, configs, rounds);
            System.out.println();
            System.out.println(table);
            Files.writeString(dir.resolve("results.md"), table);
            if (server != null) System.out.println(received(server));
        } finally {
            if (server != null) server.close();
        }
    }

    private Sample runChild(Setup setup, int round, Path classes, ServerProcess server) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A fixed, pre-touched heap: the heap is resident in every configuration, so RSS differences are the profilers' own memory.
        cmd.add("-Xms" + heap);
        cmd.add("-Xmx" + heap);
        cmd.add("-XX:+AlwaysPreTouch");
        cmd.addAll(setup.jvmArgs());
        cmd.add("-cp");
        cmd.add(classes.toString());
        cmd.add(MixedWorkload.class.getName());
        cmd.add("seconds=" + seconds);
        cmd.add("warmup=" + warmup);
        cmd.add("threads=" + threads);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // Whatever the calling shell configured must not turn a profiler on in the wrong configuration.
        pb.environment().keySet().removeIf(k -> k.startsWith("CONTINUO_") || k.startsWith("PYROSCOPE_") || k.startsWith("OTEL_")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("_JAVA_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().putAll(setup.env());
        String base = String.format(Locale.ROOT, "round%d-%s", round + 1, setup.name());
        Path out = dir.resolve(base + ".out");
        Path err = dir.resolve(base + ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        if (setup.jfrFile() != null) Files.deleteIfExists(setup.jfrFile());

        long serverCpu0 = server == null ? 0 : server.cpuNanos();
        Process p = pb.start();
        long timeout = warmup + seconds + CHILD_TIMEOUT_SLACK_SECONDS;
        if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            throw new IllegalStateException(setup.name() + " run did not finish in " + timeout + " s; see " + err);
        }
        double serverCpu = server == null ? 0 : (server.cpuNanos() - serverCpu0) / 1e9;
        long jfrBytes = 0;
        if (setup.jfrFile() != null && Files.exists(setup.jfrFile())) {
            jfrBytes = Files.size(setup.jfrFile());
            Files.delete(setup.jfrFile());
        }
        for (String line : Files.readAllLines(out)) {
            if (line.startsWith(MixedWorkload.RESULT_PREFIX)) return Sample.parse(setup.name(), round, line, serverCpu, jfrBytes);
        }
        throw new IllegalStateException(setup.name() + " run (exit " + p.exitValue() + ") printed no result line; see " + out + " and " + err);
    }

    /** The child's per-thread CPU line, the largest few entries. */
    private static String threadLine(Path out) throws IOException {
        for (String line : Files.readAllLines(out)) {
            if (line.startsWith(MixedWorkload.THREADS_PREFIX)) {
                String[] parts = line.substring(MixedWorkload.THREADS_PREFIX.length()).trim().split(";");
                return String.join(" ", java.util.Arrays.copyOf(parts, Math.min(parts.length, THREADS_SHOWN)));
            }
        }
        return "(not reported)";
    }

    /** What the server stored per service, and its ingest counters: proof the agents delivered during the run. */
    private static String received(ServerProcess server) throws InterruptedException {
        StringBuilder sb = new StringBuilder("server received:\n");
        try {
            HttpResponse<String> services = server.get("/api/v1/services?from=now-24h");
            sb.append("  GET /api/v1/services -> ").append(services.statusCode()).append(' ').append(services.body()).append('\n');
            for (String line : server.get("/metrics").body().split("\n")) {
                if (line.startsWith("continuo_ingest") || line.startsWith("continuo_rejected")) sb.append("  ").append(line).append('\n');
            }
        } catch (IOException e) {
            sb.append("  query failed: ").append(e).append('\n');
        }
        return sb.toString();
    }
}
