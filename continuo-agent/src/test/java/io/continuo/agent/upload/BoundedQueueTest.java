package io.continuo.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedQueueTest {
    private static Payload p(String name, int size) {
        return new Payload("/" + name, "application/octet-stream", new byte[size], name);
    }

    @Test
    void dropsOldestWhenOverItemLimitAndCountsDrops() throws InterruptedException {
        BoundedQueue q = new BoundedQueue(3, 1 << 20);
        for (int i = 0; i < 5; i++) q.offer(p("p" + i, 10));
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.dropped()).isEqualTo(2);
        assertThat(q.droppedBytes()).isEqualTo(20);
        assertThat(q.poll(0, TimeUnit.MILLISECONDS).description).isEqualTo("p2");
        assertThat(q.poll(0, TimeUnit.MILLISECONDS).description).isEqualTo("p3");
        assertThat(q.poll(0, TimeUnit.MILLISECONDS).description).isEqualTo("p4");
        assertThat(q.poll(0, TimeUnit.MILLISECONDS)).isNull();
        assertThat(q.bytes()).isZero();
    }

    @Test
    void dropsOldestWhenOverByteLimit() throws InterruptedException {
        BoundedQueue q = new BoundedQueue(100, 250);
        q.offer(p("a", 100));
        q.offer(p("b", 100));
        q.offer(p("c", 100));
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.bytes()).isEqualTo(200);
        assertThat(q.dropped()).isEqualTo(1);
        assertThat(q.poll(0, TimeUnit.MILLISECONDS).description).isEqualTo("b");
    }

    @Test
    void payloadLargerThanLimitIsDroppedOnArrivalWithoutEvictingOthers() {
        BoundedQueue q = new BoundedQueue(10, 100);
        q.offer(p("small", 10));
        q.offer(p("huge", 1000));
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.dropped()).isEqualTo(1);
    }

    @Test
    void offerNeverBlocksAndPollWakesUp() throws Exception {
        BoundedQueue q = new BoundedQueue(1, 1 << 20);
        Thread consumer = new Thread(() -> {
            try {
                Payload got = q.poll(30, TimeUnit.SECONDS);
                assertThat(got).isNotNull();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();
        for (int i = 0; i < 10_000; i++) q.offer(p("x", 1));
        consumer.join(30_000);
        assertThat(consumer.isAlive()).isFalse();
    }
}
