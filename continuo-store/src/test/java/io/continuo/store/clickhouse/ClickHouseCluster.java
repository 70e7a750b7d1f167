package io.continuo.store.clickhouse;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real ClickHouse cluster on this machine for tests: one ZooKeeper (Debian's {@code zookeeper} jars, run as a plain
 * java process with a temporary data directory) and {@code shards × replicas} clickhouse-server processes on
 * 127.0.0.1, each with its own ports (HTTP, native, interserver: replicas fetch parts from each other over the
 * interserver port, so it must differ per node), the {@code shard}/{@code replica} macros, a distributed DDL queue
 * and short ZooKeeper sessions (a node restarted after kill -9 must not wait out its dead session). Nodes can be
 * killed (SIGKILL) and restarted on the same data. Without the binaries the test is skipped, on CI it fails.
 */
public final class ClickHouseCluster implements AutoCloseable {
    public static final String NAME = "continuo_test";
    static final Path ZOOKEEPER_JARS = Path.of("/usr/share/java");
    private static final int ZK_TICK_MS = 500;
    private static final int ZK_SESSION_MS = 3_000;

    /** One clickhouse-server of the cluster. */
    public final class Node {
        final int shard;
        final int replica;
        final int httpPort;
        final int tcpPort;
        final int interserverPort;
        final Path dir;
        Process process;

        Node(int shard, int replica) throws IOException {
            this.shard = shard;
            this.replica = replica;
            this.httpPort = freePort();
            this.tcpPort = freePort();
            this.interserverPort = freePort();
            this.dir = root.resolve("node-" + shard + "-" + replica);
            Files.createDirectories(dir);
        }

        public String url() {
            return "http://127.0.0.1:" + httpPort;
        }

        void start() throws IOException {
            process = new ProcessBuilder(ClickHouseServer.BINARY.toString(), "--config-file=" + dir.resolve("config.xml"))
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
        }

        /** SIGKILL, as a crash or an OOM kill would. */
        public void kill() throws InterruptedException {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        public void restart() throws Exception {
            start();
            awaitReady(this);
        }

        /**
         * Runs a statement; a transport failure is retried twice (ClickHouse closes idle keep-alive connections after
         * 3 s, and the JDK client may pick one just then), an HTTP error is not.
         */
        public String query(String sql) throws IOException, InterruptedException {
            for (int attempt = 1; ; attempt++) {
                HttpResponse<String> r;
                try {
                    r = http.send(HttpRequest.newBuilder(URI.create(url() + "/"))
                            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(sql)).build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    if (attempt == 3) {
                        throw e;
                    }
                    continue;
                }
                if (r.statusCode() != 200) {
                    throw new IOException("node " + shard + "/" + replica + " refused '" + sql + "': " + r.body());
                }
                return r.body().strip();
            }
        }

        @Override
        public String toString() {
            return "shard " + shard + " replica " + replica + " (" + url() + ")";
        }
    }

    private final Path root;
    private final List<Node> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Process zookeeper;

    private ClickHouseCluster(Path root) {
        this.root = root;
    }

    /** Starts ZooKeeper and the nodes; skips the test (fails on CI) when the binaries are missing. */
    public static ClickHouseCluster start(int shards, int replicas) throws Exception {
        requireInstalled(ClickHouseServer.BINARY, "clickhouse-server");
        requireInstalled(ZOOKEEPER_JARS.resolve("zookeeper.jar"), "zookeeper");
        ClickHouseCluster c = new ClickHouseCluster(Files.createTempDirectory("continuo-ch-cluster"));
        try {
            c.startZooKeeper();
            for (int s = 1; s <= shards; s++) {
                for (int r = 1; r <= replicas; r++) {
                    c.nodes.add(c.new Node(s, r));
                }
            }
            for (Node n : c.nodes) {
                c.writeConfig(n);
                n.start();
            }
            for (Node n : c.nodes) {
                c.awaitReady(n);
            }
            // Every node's DDL worker runs: an ON CLUSTER statement finishes everywhere.
            c.nodes.get(0).query("CREATE DATABASE IF NOT EXISTS cluster_warmup ON CLUSTER " + NAME);
            return c;
        } catch (Exception | Error e) {
            c.printLogs();
            c.close();
            throw e;
        }
    }

    private static void requireInstalled(Path file, String aptPackage) {
        if (Files.exists(file)) {
            return;
        }
        String why = "the ClickHouse cluster test needs " + file + " (apt-get install " + aptPackage + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(why + "; CI=true, so its absence is a failure, not a skip");
        }
        System.err.println("SKIPPED: " + why);
        Assumptions.abort(why);
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node node(int shard, int replica) {
        return nodes.stream().filter(n -> n.shard == shard && n.replica == replica).findFirst().orElseThrow();
    }

    /** Every node's HTTP URL, comma-separated, as --clickhouse-url takes them. */
    public String urls() {
        return String.join(",", nodes.stream().map(Node::url).toList());
    }

    private int zkPort;

    private void startZooKeeper() throws Exception {
        zkPort = freePort();
        Path data = root.resolve("zookeeper");
        Files.createDirectories(data);
        String cp = Stream.of("zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-nop.jar")
                .map(j -> ZOOKEEPER_JARS.resolve(j).toString()).reduce((a, b) -> a + ":" + b).orElseThrow();
        zookeeper = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dzookeeper.admin.enableServer=false", "-Dzookeeper.4lw.commands.whitelist=*",
                "-cp", cp, "org.apache.zookeeper.server.ZooKeeperServerMain",
                String.valueOf(zkPort), data.toString(), String.valueOf(ZK_TICK_MS))
                .redirectErrorStream(true).redirectOutput(root.resolve("zookeeper.log").toFile()).start();
        // Accepting sessions, not just listening: ClickHouse 18.16's DDL worker gives up for good when its first
        // ZooKeeper handshake fails, and ON CLUSTER statements then wait on that node until they time out.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", zkPort), 500);
                s.setSoTimeout(2_000);
                handshake(s);
                return;
            } catch (IOException notYet) {
                if (!zookeeper.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("ZooKeeper did not start:\n"
                            + Files.readString(root.resolve("zookeeper.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    /** A ZooKeeper ConnectRequest (protocol 0, new session, 3 s); returns once the server answered with a session. */
    private static void handshake(Socket s) throws IOException {
        java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
        out.writeInt(4 + 8 + 4 + 8 + 4 + 16);
        out.writeInt(0);            // protocolVersion
        out.writeLong(0);           // lastZxidSeen
        out.writeInt(ZK_SESSION_MS);
        out.writeLong(0);           // sessionId: a new session
        out.writeInt(16);           // password length
        out.write(new byte[16]);
        out.flush();
        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
        int length = in.readInt();
        in.readInt();               // protocolVersion
        int timeout = in.readInt();
        long session = in.readLong();
        if (length < 16 || timeout <= 0 || session == 0) {
            throw new IOException("ZooKeeper refused a session (timeout " + timeout + ", session " + session + ")");
        }
    }

    private void writeConfig(Node n) throws IOException {
        StringBuilder shards = new StringBuilder();
        int shardCount = nodes.stream().mapToInt(x -> x.shard).max().orElse(0);
        for (int s = 1; s <= shardCount; s++) {
            shards.append("<shard><internal_replication>true</internal_replication>");
            for (Node x : nodes) {
                if (x.shard == s) {
                    shards.append("<replica><host>127.0.0.1</host><port>").append(x.tcpPort).append("</port></replica>");
                }
            }
            shards.append("</shard>");
        }
        Files.writeString(n.dir.resolve("config.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <logger><level>warning</level><console>1</console></logger>
                  <http_port>%d</http_port>
                  <tcp_port>%d</tcp_port>
                  <interserver_http_port>%d</interserver_http_port>
                  <interserver_http_host>127.0.0.1</interserver_http_host>
                  <listen_host>127.0.0.1</listen_host>
                  <path>%s/data/</path>
                  <tmp_path>%s/tmp/</tmp_path>
                  <user_files_path>%s/user_files/</user_files_path>
                  <users_config>users.xml</users_config>
                  <default_profile>default</default_profile>
                  <default_database>default</default_database>
                  <mark_cache_size>67108864</mark_cache_size>
                  <zookeeper>
                    <node><host>127.0.0.1</host><port>%d</port></node>
                    <session_timeout_ms>%d</session_timeout_ms>
                  </zookeeper>
                  <remote_servers><%s>%s</%s></remote_servers>
                  <macros><shard>%02d</shard><replica>r%d</replica></macros>
                  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
                </yandex>
                """.formatted(n.httpPort, n.tcpPort, n.interserverPort, n.dir, n.dir, n.dir, zkPort, ZK_SESSION_MS,
                NAME, shards, NAME, n.shard, n.replica));
        Files.writeString(n.dir.resolve("users.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <profiles><default/></profiles>
                  <users>
                    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
                  </users>
                  <quotas><default/></quotas>
                </yandex>
                """);
    }

    private void awaitReady(Node n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            if (!n.process.isAlive()) {
                throw new IllegalStateException(n + " exited with " + n.process.exitValue() + ":\n"
                        + Files.readString(n.dir.resolve("server.log")));
            }
            try {
                // Not system.zookeeper: 18.16 crashes (SIGSEGV) reading it while ZooKeeper is unreachable.
                n.query("SELECT 1");
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(n + " not ready within 90 s: " + notYet.getMessage());
                }
                Thread.sleep(200);
            }
        }
    }

    /** The end of every node's log, for a start that failed (the directory is removed afterwards). */
    void printLogs() {
        for (Node n : nodes) {
            try {
                List<String> lines = Files.readAllLines(n.dir.resolve("server.log"));
                System.err.println("--- " + n + " (alive: " + (n.process != null && n.process.isAlive()) + ")");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
            } catch (IOException | RuntimeException e) {
                System.err.println("--- " + n + ": no log (" + e + ")");
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            if (n.process != null) {
                n.process.destroyForcibly();
            }
        }
        for (Node n : nodes) {
            if (n.process != null) {
                try {
                    n.process.waitFor(15, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (zookeeper != null) {
            zookeeper.destroyForcibly();
        }
        // Thousands of small part directories: removed by rm in the background (it outlives the JVM if need be)
        // rather than file by file here, which took minutes on a busy disk.
        try {
            new ProcessBuilder("rm", "-rf", root.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
