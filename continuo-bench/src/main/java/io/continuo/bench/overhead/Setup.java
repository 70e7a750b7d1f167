package io.continuo.bench.overhead;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One profiler configuration of the child JVM: extra JVM options and environment.
 *
 * @param name     as given in {@code configs=}
 * @param jvmArgs  added before the main class
 * @param env      added to the child's (cleaned) environment
 * @param jfrFile  where JFR writes its recording, or null; the driver reports and deletes it after each run
 */
record Setup(String name, List<String> jvmArgs, Map<String, String> env, Path jfrFile) {
    static final String NONE = "none";
    static final String NONE_CONTROL = "none2";
    static final String CONTINUO = "continuo";
    static final String PYROSCOPE = "pyroscope";
    static final String JFR = "jfr";
    static final List<String> ALL = List.of(NONE, CONTINUO, PYROSCOPE, JFR, NONE_CONTROL);

    static final String CONTINUO_SERVICE = "bench-continuo";
    static final String PYROSCOPE_SERVICE = "bench-pyroscope";

    static Setup none(String name) {
        return new Setup(name, List.of(), Map.of(), null);
    }

    /** The Continuo agent at its defaults; only where to send and the service name are set. */
    static Setup continuo(Path agentJar, String serverUrl) {
        return new Setup(CONTINUO, List.of("-javaagent:" + agentJar),
                Map.of("CONTINUO_SERVER", serverUrl, "CONTINUO_SERVICE", CONTINUO_SERVICE), null);
    }

    /** Pyroscope's agent with CPU (itimer), allocation (every 512 KiB) and lock (10 ms) profiling, as issue #4 sets it. */
    static Setup pyroscope(Path agentJar, String serverUrl) {
        return new Setup(PYROSCOPE, List.of("-javaagent:" + agentJar), Map.of(
                "PYROSCOPE_SERVER_ADDRESS", serverUrl,
                "PYROSCOPE_APPLICATION_NAME", PYROSCOPE_SERVICE,
                "PYROSCOPE_PROFILER_EVENT", "itimer",
                "PYROSCOPE_PROFILER_ALLOC", "512k",
                "PYROSCOPE_PROFILER_LOCK", "10ms"), null);
    }

    /** The JDK's own recorder with its {@code profile} settings, dumping to a file at exit. */
    static Setup jfr(Path recording) {
        return new Setup(JFR, List.of("-XX:StartFlightRecording=settings=profile,filename=" + recording), Map.of(), recording);
    }
}
