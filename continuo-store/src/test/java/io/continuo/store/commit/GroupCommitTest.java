package io.continuo.store.commit;

import io.continuo.store.StoreFailure;
import io.continuo.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The queue's promises, each against a committer that misbehaves in one way: every caller gets an answer within
 * its wait, and the commit thread outlives whatever a commit throws.
 */
class GroupCommitTest {
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final List<GroupCommit<?>> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(q -> q.shutdown(Duration.ofSeconds(5)));
        callers.shutdownNow();
    }

    private <T> GroupCommit<T> start(GroupCommit.Committer<T> committer, int capacity, Duration wait) {
        GroupCommit<T> q = new GroupCommit<>(new GroupCommit.Options("test-commit", capacity, 8, wait,
                Duration.ofMillis(50)), committer);
        q.start();
        started.add(q);
        return q;
    }

    /** Commits every task with its payload as the answer, recording the groups. */
    private static final class Recording implements GroupCommit.Committer<String> {
        final List<List<String>> groups = new CopyOnWriteArrayList<>();
        final AtomicInteger finished = new AtomicInteger();

        @Override
        public void commit(List<GroupCommit.Task<String>> group) {
            groups.add(group.stream().map(GroupCommit.Task::payload).toList());
            for (GroupCommit.Task<String> t : group) {
                if (t.payload().equals("runtime")) {
                    throw new IllegalStateException("boom from the store");
                }
                if (t.payload().equals("error")) {
                    throw new OutOfMemoryError("simulated");
                }
            }
            group.forEach(t -> t.succeed(t.payload()));
        }

        @Override
        public void finish() {
            finished.incrementAndGet();
        }
    }

    @Test
    void answersEveryTaskOnSuccess() throws Exception {
        Recording r = new Recording();
        GroupCommit<String> q = start(r, 64, Duration.ofSeconds(10));
        List<Future<Object>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String p = "t" + i;
            answers.add(callers.submit(() -> q.submit(p)));
        }
        for (int i = 0; i < 40; i++) {
            assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("t" + i);
        }
        assertThat(r.groups.stream().mapToInt(List::size).sum()).isEqualTo(40);
        assertThat(r.groups).allSatisfy(g -> assertThat(g).hasSizeLessThanOrEqualTo(8));
    }

    @Test
    void aRuntimeExceptionFailsItsGroupAndTheThreadCarriesOn() {
        GroupCommit<String> q = start(new Recording(), 64, Duration.ofSeconds(10));
        assertThatThrownBy(() -> q.submit("runtime"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("nothing of this batch was stored")
                .hasMessageContaining("boom from the store")
                .satisfies(e -> assertThat(((StoreUnavailableException) e).failure())
                        .isEqualTo(StoreFailure.WRITE_FAILED));
        assertThat(q.submit("after")).isEqualTo("after");
    }

    @Test
    void anErrorIsAnsweredAsAStoreFailureAndTheThreadSurvives() {
        GroupCommit<String> q = start(new Recording(), 64, Duration.ofSeconds(10));
        assertThatThrownBy(() -> q.submit("error"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("OutOfMemoryError")
                .satisfies(e -> assertThat(((StoreUnavailableException) e).failure()).isEqualTo(StoreFailure.INTERNAL));
        assertThat(q.submit("after")).isEqualTo("after");
    }

    @Test
    void tasksTheCommitterForgetsAreFailedNotLeftHanging() {
        GroupCommit<String> q = start(group -> { }, 64, Duration.ofSeconds(10));
        assertThatThrownBy(() -> q.submit("x")).hasMessageContaining("did not answer");
    }

    @Test
    void aHungStoreGivesBoundedWaitsAndWithdrawsQueuedTasks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> committed = new CopyOnWriteArrayList<>();
        GroupCommit<String> q = start(group -> {
            group.forEach(t -> committed.add(t.payload()));
            release.await();
            group.forEach(t -> t.succeed(null));
        }, 2, Duration.ofMillis(300));
        // The first task is taken and hangs inside the store: its caller learns it may still be stored.
        Future<Object> hung = callers.submit(() -> q.submit("hung"));
        waitUntil(() -> committed.contains("hung"));
        long start = System.nanoTime();
        assertThatThrownBy(() -> q.submit("queued"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("nothing of this request was stored")
                .satisfies(e -> assertThat(((StoreUnavailableException) e).nothingStored()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(hung::get).hasCauseInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("may still be stored");
        waitUntil(() -> q.stuckMessage() != null); // a commit stuck past the caller wait shows in health
        release.countDown();
        // The withdrawn task is never committed; the queue works again.
        assertThat(q.submit("later", Duration.ofSeconds(10))).isNull();
        assertThat(committed).containsExactly("hung", "later");
        waitUntil(() -> q.stuckMessage() == null);
    }

    @Test
    void aFullQueueAnswersQueueFullWithinTheWait() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        GroupCommit<String> q = start(group -> {
            release.await();
            group.forEach(t -> t.succeed(null));
        }, 1, Duration.ofMillis(300));
        callers.submit(() -> q.submit("taken", Duration.ofSeconds(30)));
        Thread.sleep(100); // let the thread take the first task (the assertion below does not depend on it)
        callers.submit(() -> q.submit("fills the queue", Duration.ofSeconds(30)));
        waitUntil(q::hasWaiting);
        assertThatThrownBy(() -> q.submit("no room"))
                .isInstanceOf(StoreUnavailableException.class)
                .satisfies(e -> assertThat(((StoreUnavailableException) e).failure())
                        .isIn(StoreFailure.QUEUE_FULL, StoreFailure.TIMEOUT));
        release.countDown();
    }

    @Test
    void shutdownCommitsWhatIsQueuedAndAnswersLateArrivals() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recording r = new Recording();
        GroupCommit<String> q = start(new GroupCommit.Committer<>() {
            @Override
            public void commit(List<GroupCommit.Task<String>> group) throws InterruptedException {
                if (group.get(0).payload().equals("first")) {
                    inside.countDown();
                    release.await();
                }
                r.commit(group);
            }

            @Override
            public void finish() {
                r.finish();
            }
        }, 64, Duration.ofSeconds(30));
        Future<Object> first = callers.submit(() -> q.submit("first"));
        inside.await(10, TimeUnit.SECONDS);
        List<Future<Object>> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String p = "q" + i;
            queued.add(callers.submit(() -> q.submit(p)));
        }
        waitUntil(q::hasWaiting);
        Thread.sleep(200); // most of the 20 are queued by now; any that are not get "closed", also an answer
        Future<?> shutdown = callers.submit(() -> q.shutdown(Duration.ofSeconds(30)));
        release.countDown();
        shutdown.get(30, TimeUnit.SECONDS);
        assertThat(first.get(1, TimeUnit.SECONDS)).isEqualTo("first");
        int committed = 0;
        for (int i = 0; i < queued.size(); i++) {
            try {
                assertThat(queued.get(i).get(1, TimeUnit.SECONDS)).isEqualTo("q" + i);
                committed++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StoreUnavailableException.class);
                assertThat(((StoreUnavailableException) e.getCause()).failure()).isEqualTo(StoreFailure.CLOSED);
            }
        }
        assertThat(committed).isPositive();
        assertThat(r.finished).hasValue(1);
        assertThatThrownBy(() -> q.submit("after shutdown"))
                .isInstanceOf(StoreUnavailableException.class)
                .satisfies(e -> assertThat(((StoreUnavailableException) e).failure()).isEqualTo(StoreFailure.CLOSED));
    }

    @Test
    void shutdownOfAHungStoreFailsTheQueuedTasksWithinItsWait() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        GroupCommit<String> q = start(group -> never.await(), 64, Duration.ofSeconds(60));
        callers.submit(() -> q.submit("hung"));
        waitUntil(() -> !q.hasWaiting());
        Thread.sleep(50);
        Future<Object> queued = callers.submit(() -> q.submit("queued"));
        waitUntil(q::hasWaiting);
        q.shutdown(Duration.ofMillis(200));
        assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("closed");
        never.countDown();
    }

    @Test
    void idleRunsWhenNothingArrivesAndItsFailuresDoNotStopTheThread() {
        AtomicInteger idles = new AtomicInteger();
        GroupCommit<String> q = start(new GroupCommit.Committer<>() {
            @Override
            public void commit(List<GroupCommit.Task<String>> group) {
                group.forEach(t -> t.succeed("ok"));
            }

            @Override
            public void idle() {
                if (idles.incrementAndGet() % 2 == 0) {
                    throw new StackOverflowError("maintenance blew up");
                }
            }
        }, 64, Duration.ofSeconds(10));
        waitUntil(() -> idles.get() >= 4);
        assertThat(q.submit("x")).isEqualTo("ok");
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 20 s");
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
