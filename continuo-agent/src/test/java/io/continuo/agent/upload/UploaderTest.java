package io.continuo.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UploaderTest {
    /** Replays scripted outcomes: an Integer is a status, an IOException is thrown. */
    private static final class Script implements Transport {
        final Deque<Object> outcomes;
        int calls;

        Script(Object... outcomes) { this.outcomes = new ArrayDeque<>(Arrays.asList(outcomes)); }

        @Override
        public int send(Payload p) throws IOException {
            calls++;
            Object o = outcomes.removeFirst();
            if (o instanceof IOException) throw (IOException) o;
            return (Integer) o;
        }
    }

    private final List<Duration> sleeps = new ArrayList<>();

    private Uploader uploader(Transport t, int maxRetries) {
        return new Uploader(new BoundedQueue(4, 1 << 20), t,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(7)), maxRetries, sleeps::add);
    }

    private static Payload payload() { return new Payload("/api/v1/ingest", "application/octet-stream", new byte[10], "cpu"); }

    @Test
    void retriesRetryableStatusesAndIoErrorsWithBackoffThenSucceeds() throws Exception {
        Script t = new Script(503, new IOException("connection refused"), 429, 502, 504, 204);
        Uploader u = uploader(t, 5);
        assertThat(u.sendWithRetries(payload())).isTrue();
        assertThat(t.calls).isEqualTo(6);
        Backoff expected = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(7));
        List<Duration> want = new ArrayList<>();
        for (int i = 0; i < 5; i++) want.add(expected.delay(i));
        assertThat(sleeps).isEqualTo(want);
        assertThat(u.sent()).isEqualTo(1);
        assertThat(u.sentBytes()).isEqualTo(10);
        assertThat(u.retries()).isEqualTo(5);
    }

    @Test
    void doesNotRetryClientErrors() throws Exception {
        for (int status : new int[] {400, 401, 403, 404, 413, 500}) {
            Script t = new Script(status);
            Uploader u = uploader(t, 3);
            assertThat(u.sendWithRetries(payload())).isFalse();
            assertThat(t.calls).isEqualTo(1);
            assertThat(u.failed()).isEqualTo(1);
        }
        assertThat(sleeps).isEmpty();
    }

    @Test
    void givesUpAfterMaxRetries() throws Exception {
        Script t = new Script(503, 503, 503, 503, 503);
        Uploader u = uploader(t, 3);
        assertThat(u.sendWithRetries(payload())).isFalse();
        assertThat(t.calls).isEqualTo(4);
        assertThat(sleeps).hasSize(3);
        assertThat(u.failed()).isEqualTo(1);
    }

    @Test
    void finishByDrainsTheQueueWithoutRetriesAndRespectsTheDeadline() throws Exception {
        BoundedQueue q = new BoundedQueue(8, 1 << 20);
        List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        Transport slowThenFail = p -> {
            sent.add(p.description);
            if (p.description.equals("fails")) throw new IOException("down");
            return 204;
        };
        Uploader u = new Uploader(q, slowThenFail, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(7)),
                3, sleeps::add);
        // The exit path: no retries from this point on. Set before the thread can take the first payload, so the
        // test does not race the uploader thread (finishBy sets it too, but only once it is called).
        u.finishing();
        u.start();
        try {
            q.offer(new Payload("/a", "x", new byte[1], "fails"));
            q.offer(new Payload("/b", "x", new byte[1], "cpu"));
            assertThat(u.finishBy(System.nanoTime() + 5_000_000_000L)).isTrue();
            assertThat(sent).containsExactly("fails", "cpu");
            assertThat(sleeps).as("no backoff at exit").isEmpty();
            assertThat(u.failed()).isEqualTo(1);
            assertThat(u.sent()).isEqualTo(1);
        } finally {
            u.stop();
        }

        BoundedQueue stuck = new BoundedQueue(8, 1 << 20);
        Uploader hanging = new Uploader(stuck, p -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                throw new IOException("interrupted");
            }
            return 204;
        }, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(7)), 3, sleeps::add);
        hanging.start();
        try {
            stuck.offer(payload());
            long t0 = System.nanoTime();
            assertThat(hanging.finishBy(t0 + 200_000_000L)).isFalse();
            assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
        } finally {
            hanging.stop();
        }
    }
}
