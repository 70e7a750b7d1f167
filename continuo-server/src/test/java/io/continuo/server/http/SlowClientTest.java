package io.continuo.server.http;

import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hundreds of slow connections (the 260 sockets sending a byte every 3 s froze the whole server): 270 upload
 * bodies trickling in and 30 requests whose headers trickle in, held open for about 20 s, while /healthz must keep
 * answering within 2 s. Slow bodies are cut by --min-request-rate (or refused a slot with 503) and slow headers by
 * --header-timeout; the server stays usable for everyone else.
 */
class SlowClientTest {
    private static final int SLOW_BODIES = 270;
    private static final int SLOW_HEADERS = 30;
    private static final long HOLD_MILLIS = 20_000;
    private static final long TRICKLE_MILLIS = 3_000;

    @TempDir
    Path dir;

    @Test
    void healthzAnswersWhileHundredsOfSlowClientsAreConnected() throws Exception {
        ServerConfig config = ServerConfig.defaults().toBuilder().selfProfile(false).dataDir(dir)
                .headerTimeout(Duration.ofSeconds(3)).build();
        try (TestServer server = new TestServer(config)) {
            int port = server.server().port();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            // the client's own first request is slow (its selector thread starts): not the server's latency
            assertThat(http.send(HttpRequest.newBuilder(URI.create(server.base() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            List<Socket> bodies = new ArrayList<>();
            List<Socket> headers = new ArrayList<>();
            try {
                for (int i = 0; i < SLOW_BODIES; i++) {
                    Socket s = open(port);
                    s.getOutputStream().write(("POST /ingest?name=slow" + i + "&format=folded HTTP/1.1\r\nHost: x\r\n"
                            + "Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\nm").getBytes(StandardCharsets.US_ASCII));
                    bodies.add(s);
                }
                for (int i = 0; i < SLOW_HEADERS; i++) {
                    Socket s = open(port);
                    s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    headers.add(s);
                }
                long start = System.nanoTime();
                long nextTrickle = 0;
                long worstMillis = 0;
                int checks = 0;
                while (elapsedMillis(start) < HOLD_MILLIS) {
                    if (elapsedMillis(start) >= nextTrickle) {
                        trickle(bodies);
                        trickle(headers);
                        nextTrickle += TRICKLE_MILLIS;
                    }
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/healthz"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    long took = elapsedMillis(t0);
                    if (took > 500) {
                        System.out.println("slow /healthz at " + elapsedMillis(start) + " ms: " + took + " ms");
                    }
                    worstMillis = Math.max(worstMillis, took);
                    checks++;
                    Thread.sleep(250);
                }
                assertThat(checks).isGreaterThan(10);
                assertThat(worstMillis).as("slowest /healthz").isLessThan(2_000);
                // every slow header connection was closed by the server (they never finished their headers)
                for (Socket s : headers) {
                    assertThat(closedOrAnswered(s)).as("a slow-header connection still open").isTrue();
                }
                // every slow upload was cut (408), refused a slot (503), or had its connection closed
                int cut = 0;
                for (Socket s : bodies) {
                    if (closedOrAnswered(s)) {
                        cut++;
                    }
                }
                assertThat(cut).isEqualTo(SLOW_BODIES);
            } finally {
                for (Socket s : bodies) {
                    s.close();
                }
                for (Socket s : headers) {
                    s.close();
                }
            }
            assertThat(server.post("/ingest?name=after&format=folded", "main;ok 1\n".getBytes(StandardCharsets.UTF_8),
                    java.util.Map.of("Content-Type", "text/plain")).status()).isEqualTo(200);
        }
    }

    private static Socket open(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(200);
        return s;
    }

    private static void trickle(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                OutputStream out = s.getOutputStream();
                out.write('a');
                out.flush();
            } catch (IOException e) {
                // closed by the server: that is the point
            }
        }
    }

    /** The server answered (a status line) or closed the connection; a read that times out means still open. */
    private static boolean closedOrAnswered(Socket s) {
        try {
            InputStream in = s.getInputStream();
            return in.read() != -2;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
