package io.continuo.agent.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ParkBlockersTest {
    @Test
    void parksOnLockSynchronizersAreContention() {
        assertThat(ParkBlockers.isLock("java.util.concurrent.locks.ReentrantLock$NonfairSync")).isTrue();
        assertThat(ParkBlockers.isLock("java.util.concurrent.locks.ReentrantLock$FairSync")).isTrue();
        assertThat(ParkBlockers.isLock("java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync")).isTrue();
        assertThat(ParkBlockers.isLock("java.util.concurrent.locks.StampedLock")).isTrue();
        assertThat(ParkBlockers.isLock("java.util.concurrent.Semaphore$NonfairSync")).isTrue();
    }

    @Test
    void waitingForWorkOrResultsIsNot() {
        // idle pool workers (LinkedBlockingQueue.take, Jetty's queues), condition waits, futures, latches, fork-join
        assertThat(ParkBlockers.isLock("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject")).isFalse();
        assertThat(ParkBlockers.isLock("java.util.concurrent.CountDownLatch$Sync")).isFalse();
        assertThat(ParkBlockers.isLock("java.util.concurrent.FutureTask")).isFalse();
        assertThat(ParkBlockers.isLock("java.util.concurrent.CompletableFuture$Signaller")).isFalse();
        assertThat(ParkBlockers.isLock("java.util.concurrent.ForkJoinPool")).isFalse();
        assertThat(ParkBlockers.isLock("java.util.concurrent.SynchronousQueue$TransferStack")).isFalse();
        assertThat(ParkBlockers.isLock(null)).isFalse();
        // a prefix alone is not a match
        assertThat(ParkBlockers.isLock("java.util.concurrent.locks.ReentrantLockish")).isFalse();
    }
}
