package io.continuo.store.clickhouse;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real ClickHouse for the tests: a JUnit extension that starts /usr/sbin/clickhouse-server once per test run with a
 * minimal config (free ports, 127.0.0.1 only, a temporary data directory), waits for {@code SELECT 1}, and kills it
 * when the run ends. Each test gets a fresh database ({@link #freshDatabase}). Without the binary the tests are
 * skipped with instructions, except on CI ({@code CI=true}), where the binary must be there and its absence fails.
 */
public final class ClickHouseServer implements BeforeAllCallback, ExtensionContext.Store.CloseableResource {
    static final Path BINARY = Path.of(System.getenv().getOrDefault("CONTINUO_CLICKHOUSE_SERVER",
            "/usr/sbin/clickhouse-server"));
    /** A user with a password, to test authentication; the default user has none. */
    static final String USER = "continuo";
    static final String PASSWORD = "s3cret'\\pw";

    private static volatile ClickHouseServer running;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private Process process;
    private Path dir;
    private int httpPort;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            String why = "ClickHouse tests need " + BINARY + " (install it with: apt-get install clickhouse-server)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(why + "; CI=true, so its absence is a failure, not a skip");
            }
            System.err.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
        synchronized (ClickHouseServer.class) {
            if (running == null) {
                ClickHouseServer server = new ClickHouseServer();
                server.start();
                // The root store closes it once, after every test class of the run.
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(ClickHouseServer.class, server);
                running = server;
            }
        }
    }

    public static String url() {
        return "http://127.0.0.1:" + running.httpPort;
    }

    /** A database name not used before in this run. */
    public static String freshDatabase(String prefix) {
        String name = prefix.replaceAll("[^A-Za-z0-9_]", "_");
        return "t_" + name.substring(0, Math.min(name.length(), 40)) + "_" + DATABASES.incrementAndGet();
    }

    private void start() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("continuo-clickhouse");
        httpPort = freePort();
        int tcpPort = freePort();
        Files.writeString(dir.resolve("config.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <logger><level>warning</level><console>1</console></logger>
                  <http_port>%d</http_port>
                  <tcp_port>%d</tcp_port>
                  <listen_host>127.0.0.1</listen_host>
                  <path>%s/data/</path>
                  <tmp_path>%s/tmp/</tmp_path>
                  <user_files_path>%s/user_files/</user_files_path>
                  <users_config>users.xml</users_config>
                  <default_profile>default</default_profile>
                  <default_database>default</default_database>
                  <mark_cache_size>536870912</mark_cache_size>
                </yandex>
                """.formatted(httpPort, tcpPort, dir, dir, dir));
        Files.writeString(dir.resolve("users.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <profiles><default/></profiles>
                  <users>
                    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
                    <%s><password>%s</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></%s>
                  </users>
                  <quotas><default/></quotas>
                </yandex>
                """.formatted(USER, PASSWORD.replace("'", "&apos;"), USER));
        process = new ProcessBuilder(BINARY.toString(), "--config-file=" + dir.resolve("config.xml"))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile())
                .start();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("clickhouse-server exited with " + process.exitValue() + ":\n"
                        + Files.readString(dir.resolve("server.log")));
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + httpPort + "/?query=SELECT%201")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() == 200 && r.body().strip().equals("1")) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("clickhouse-server did not answer SELECT 1 within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        running = null;
        if (process != null) {
            // On SIGTERM ClickHouse waits out idle keep-alive connections (10 s); this instance's data is disposable.
            process.destroy();
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
        }
    }
}
