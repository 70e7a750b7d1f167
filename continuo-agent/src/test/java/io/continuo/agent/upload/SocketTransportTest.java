package io.continuo.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SocketTransportTest {
    private static Payload payload(String path, String body) {
        return new Payload(path, "application/octet-stream", body.getBytes(StandardCharsets.UTF_8), "cpu");
    }

    @Test
    void postsBodyAndHeadersAndReadsStatusesOverOneKeptAliveConnection() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger call = new AtomicInteger();
        server.createContext("/", ex -> {
            try (ex; InputStream in = ex.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                seen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + body + " auth=" + ex.getRequestHeaders().getFirst("Authorization")
                        + " tenant=" + ex.getRequestHeaders().getFirst("X-Scope-OrgID") + " type=" + ex.getRequestHeaders().getFirst("Content-Type")
                        + " host=" + ex.getRequestHeaders().getFirst("Host"));
                switch (call.getAndIncrement()) {
                    case 0 -> ex.sendResponseHeaders(204, -1);
                    case 1 -> {
                        byte[] ok = "accepted".getBytes(StandardCharsets.UTF_8);
                        ex.sendResponseHeaders(200, ok.length);
                        ex.getResponseBody().write(ok);
                    }
                    case 2 -> {
                        ex.sendResponseHeaders(500, 0); // chunked
                        ex.getResponseBody().write("boom".repeat(100).getBytes(StandardCharsets.UTF_8));
                    }
                    default -> ex.sendResponseHeaders(429, -1);
                }
            }
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            SocketTransport t = new SocketTransport(URI.create("http://127.0.0.1:" + port + "/prefix"), Duration.ofSeconds(5), "k3y", "acme");
            assertThat(t.send(payload("/api/v1/ingest?service=a&format=pprof", "one"))).isEqualTo(204);
            assertThat(t.send(payload("/api/v1/ingest/metrics?service=a", "two"))).isEqualTo(200);
            assertThat(t.send(payload("/api/v1/ingest", "three"))).isEqualTo(500);
            assertThat(t.send(payload("/api/v1/ingest", "four"))).isEqualTo(429);
            assertThat(seen).containsExactly(
                    "POST /prefix/api/v1/ingest?service=a&format=pprof one auth=Bearer k3y tenant=acme type=application/octet-stream host=127.0.0.1:" + port,
                    "POST /prefix/api/v1/ingest/metrics?service=a two auth=Bearer k3y tenant=acme type=application/octet-stream host=127.0.0.1:" + port,
                    "POST /prefix/api/v1/ingest three auth=Bearer k3y tenant=acme type=application/octet-stream host=127.0.0.1:" + port,
                    "POST /prefix/api/v1/ingest four auth=Bearer k3y tenant=acme type=application/octet-stream host=127.0.0.1:" + port);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void replacesAConnectionTheServerClosedWhileIdle() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = new AtomicInteger();
            AtomicInteger requests = new AtomicInteger();
            Thread srv = new Thread(() -> {
                try {
                    while (true) {
                        try (Socket s = ss.accept()) {
                            connections.incrementAndGet();
                            // Answers one request (chunked, keep-alive), then drops the connection silently.
                            readRequest(s.getInputStream());
                            requests.incrementAndGet();
                            OutputStream o = s.getOutputStream();
                            o.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                            o.flush();
                        }
                    }
                } catch (IOException ignored) {
                    // server socket closed: test over
                }
            });
            srv.setDaemon(true);
            srv.start();
            SocketTransport t = new SocketTransport(URI.create("http://127.0.0.1:" + ss.getLocalPort()), Duration.ofSeconds(5), null, null);
            for (int i = 0; i < 3; i++) {
                assertThat(t.send(payload("/api/v1/ingest", "x" + i))).isEqualTo(200);
                Thread.sleep(50);
            }
            assertThat(requests.get()).isEqualTo(3);
            assertThat(connections.get()).isEqualTo(3);
        }
    }

    @Test
    void refusedConnectionIsAnIoError() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        SocketTransport t = new SocketTransport(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2), null, null);
        assertThatThrownBy(() -> t.send(payload("/api/v1/ingest", "x"))).isInstanceOf(IOException.class);
    }

    private static void readRequest(InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
        int length = 0;
        String line;
        while ((line = r.readLine()) != null && !line.isEmpty()) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        for (int i = 0; i < length; i++) r.read();
    }
}
