package io.continuo.server.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The server in its own JVM (the test classpath), so a test can kill -9 it. */
final class ChildServer implements AutoCloseable {
    private final Process process;
    final int port;

    private ChildServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ChildServer start(Path dataDir, Path log) throws IOException, InterruptedException {
        return start(dataDir, log, "-Xmx512m", List.of());
    }

    /** @param heap the child's -Xmx option; @param serverArgs more server flags */
    static ChildServer start(Path dataDir, Path log, String heap, List<String> serverArgs) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "-cp", System.getProperty("java.class.path"), "io.continuo.server.cli.Main", "server",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", dataDir.toString(), "--no-self-profile"));
        cmd.addAll(serverArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ChildServer child = new ChildServer(p, port);
        child.awaitHealthy();
        return child;
    }

    private void awaitHealthy() throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("child server exited with " + process.exitValue());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("child server not healthy within 60 s");
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }
}
