package io.continuo.agent.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Launches a real JVM with the built agent jar, output captured to files (no pipe can fill up). */
final class ChildJvm {
    record Result(int exitCode, String stdout, String stderr) {
        List<String> stderrLines() {
            List<String> out = new ArrayList<>();
            for (String l : stderr.split("\n")) if (!l.isBlank()) out.add(l);
            return out;
        }
    }

    static String agentJar() {
        String jar = System.getProperty("continuo.agent.jar", "target/continuo-agent.jar");
        if (!new File(jar).isFile()) throw new IllegalStateException("agent jar not built: " + jar + " (run mvn verify)");
        return jar;
    }

    static String testClasspath() { return System.getProperty("continuo.test.classpath", "target/test-classes"); }

    static Result run(String javaHome, List<String> jvmArgs, String classpath, Class<?> main, List<String> args,
                      Map<String, String> env, long timeoutSeconds) throws IOException, InterruptedException {
        return start(javaHome, jvmArgs, classpath, main, args, env).waitFor(timeoutSeconds);
    }

    /** Starts the child and returns at once; {@link Running#waitFor} collects its result. */
    static Running start(String javaHome, List<String> jvmArgs, String classpath, Class<?> main, List<String> args,
                         Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(javaHome, "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(main.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // Isolate the child from whatever the build machine has set.
        pb.environment().keySet().removeIf(k -> k.startsWith("CONTINUO_") || k.startsWith("OTEL_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("continuo-child", ".out");
        Path err = Files.createTempFile("continuo-child", ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        return new Running(pb.start(), out, err);
    }

    /** A started child JVM. */
    static final class Running {
        final Process process;
        private final Path out;
        private final Path err;

        Running(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        String stderrSoFar() throws IOException { return Files.readString(err); }

        Result waitFor(long timeoutSeconds) throws IOException, InterruptedException {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new AssertionError("child JVM did not finish in " + timeoutSeconds + "s; stderr:\n" + Files.readString(err));
            }
            Result r = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        }
    }
}
