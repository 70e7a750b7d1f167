package io.continuo.store.commit;

import io.continuo.store.StoreException;
import io.continuo.store.StoreFailure;
import io.continuo.store.StoreUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one group-commit queue of both store engines, in the shape of OpenTelemetry's BatchSpanProcessor: callers
 * {@link #submit} a task and wait for it; one named daemon thread drains up to {@code maxGroup} tasks and hands them
 * to the {@link Committer} together (one transaction, one INSERT per table), so concurrent uploads share a commit.
 * <p>
 * The guarantees the rest of the store relies on:
 * <ul>
 * <li><b>Bounded waits.</b> A caller waits at most {@code callerWait} in total, for room in the queue and for its
 * commit. Past it the caller gets a {@link StoreUnavailableException} ({@link StoreFailure#QUEUE_FULL} or
 * {@link StoreFailure#TIMEOUT}) that the server answers 503 with {@code Retry-After}. A task still waiting in the
 * queue when its caller gives up is withdrawn (never committed), so "nothing was stored" is then true; a task
 * already being committed may still land, and the exception says so ({@code nothingStored() == false}).</li>
 * <li><b>Every task answered.</b> After the committer returns, and also when it throws anything (a RuntimeException
 * or an Error such as OutOfMemoryError), every task of the group it did not complete is failed with the cause. The
 * thread catches Throwable and carries on, so one bad upload cannot wedge the queue.</li>
 * <li><b>Shutdown drains.</b> {@link #shutdown} stops new submissions, lets the thread commit what is already
 * queued (including tasks that arrive in the race with the shutdown marker), runs {@link Committer#finish} and
 * stops; whatever is still queued when the thread is gone or the wait ran out is failed with
 * {@link StoreFailure#CLOSED}, never dropped.</li>
 * </ul>
 * The queue itself is unbounded; its capacity is a semaphore, so the shutdown marker never needs room.
 *
 * @param <T> what callers submit
 */
public final class GroupCommit<T> {
    private static final System.Logger LOG = System.getLogger(GroupCommit.class.getName());

    /** Does the work of a group on the commit thread. */
    public interface Committer<T> {
        /**
         * Commits the group in order. Complete every task ({@link Task#succeed}/{@link Task#fail}); tasks left open
         * when this returns or throws are failed with the thrown error (or a generic one).
         */
        void commit(List<Task<T>> group) throws Exception;

        /** Called between groups and at least every {@code idleInterval} when nothing arrives (maintenance). */
        default void idle() throws Exception {
        }

        /** Called once on the commit thread after the last group (a clean-shutdown marker, closing resources). */
        default void finish() throws Exception {
        }
    }

    /** One submitted task and its answer. */
    public static final class Task<T> {
        private static final int QUEUED = 0;
        private static final int TAKEN = 1;
        private static final int WITHDRAWN = 2;

        private final T payload;
        private final CompletableFuture<Object> done = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger(QUEUED);

        Task(T payload) {
            this.payload = payload;
        }

        public T payload() {
            return payload;
        }

        public void succeed(Object result) {
            done.complete(result);
        }

        public void fail(Throwable error) {
            done.completeExceptionally(error);
        }

        public boolean isDone() {
            return done.isDone();
        }
    }

    /**
     * @param name         the thread's name
     * @param capacity     most tasks waiting at once
     * @param maxGroup     most tasks per commit
     * @param callerWait   the longest a caller waits, for room and for its commit together
     * @param idleInterval how often {@link Committer#idle} runs when nothing arrives
     */
    public record Options(String name, int capacity, int maxGroup, Duration callerWait, Duration idleInterval) {
        public Options {
            Objects.requireNonNull(name, "name");
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
            }
            if (maxGroup < 1) {
                throw new IllegalArgumentException("maxGroup must be at least 1, got " + maxGroup);
            }
            if (callerWait == null || callerWait.toMillis() < 1) {
                throw new IllegalArgumentException("callerWait must be at least 1 ms, got " + callerWait);
            }
            if (idleInterval == null || idleInterval.toMillis() < 1) {
                throw new IllegalArgumentException("idleInterval must be at least 1 ms, got " + idleInterval);
            }
        }
    }

    private final Options options;
    private final Committer<T> committer;
    private final LinkedBlockingQueue<Task<T>> queue = new LinkedBlockingQueue<>();
    private final Semaphore room;
    private final Task<T> shutdownMarker = new Task<>(null);
    private final Thread thread;
    private volatile boolean stopping;
    /** System.nanoTime() when the running commit began; 0 otherwise. */
    private volatile long busySince;
    /** System.nanoTime() when the running maintenance step began; 0 otherwise. */
    private volatile long maintenanceSince;

    public GroupCommit(Options options, Committer<T> committer) {
        this.options = options;
        this.committer = committer;
        this.room = new Semaphore(options.capacity());
        this.thread = new Thread(this::run, options.name());
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** True when a caller is waiting: long maintenance should yield to it. */
    public boolean hasWaiting() {
        return !queue.isEmpty();
    }

    /** Submits and waits at most {@code callerWait}; returns the committer's result or throws its failure. */
    public Object submit(T payload) {
        return submit(payload, options.callerWait());
    }

    public Object submit(T payload, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        if (stopping) {
            throw closed();
        }
        Task<T> task = new Task<>(payload);
        try {
            if (!room.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new StoreUnavailableException(StoreFailure.QUEUE_FULL, "the store's write queue stayed full for "
                        + wait.toMillis() + " ms (the store is slower than the uploads); nothing of this request "
                        + "was stored", retryAfter(wait));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for room in the write queue");
        }
        queue.add(task);
        // Race with shutdown: the thread's last drain may have run before our add. If the task is still there,
        // nobody else will answer it.
        if (stopping && queue.remove(task)) {
            room.release();
            throw closed();
        }
        return await(task, deadline, wait);
    }

    private Object await(Task<T> task, long deadline, Duration wait) {
        try {
            return task.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (task.state.compareAndSet(Task.QUEUED, Task.WITHDRAWN)) {
                // The thread skips withdrawn tasks, so this one is never committed.
                throw new StoreUnavailableException(StoreFailure.TIMEOUT, "the store did not reach this write within "
                        + wait.toMillis() + " ms; nothing of this request was stored", retryAfter(wait));
            }
            throw new StoreUnavailableException(StoreFailure.TIMEOUT, "the store did not finish committing this "
                    + "write within " + wait.toMillis() + " ms; it may still be stored", retryAfter(wait), false, null);
        } catch (InterruptedException e) {
            // The task may still commit; the caller just stops waiting for it.
            Thread.currentThread().interrupt();
            task.state.compareAndSet(Task.QUEUED, Task.WITHDRAWN);
            throw new StoreException("interrupted while waiting for the write to commit");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            // An Error stays on the commit thread; the caller gets a store failure it can answer.
            throw new StoreUnavailableException(StoreFailure.INTERNAL, "the store failed on this write ("
                    + cause + "); nothing of this request was stored", 1, true, cause);
        }
    }

    private static long retryAfter(Duration wait) {
        return Math.max(1, Math.min(30, wait.toSeconds()));
    }

    private static StoreUnavailableException closed() {
        return new StoreUnavailableException(StoreFailure.CLOSED, "store is closed; nothing of this request was stored",
                5);
    }

    // ---------------------------------------------------------------- the thread

    private void run() {
        List<Task<T>> group = new ArrayList<>(options.maxGroup());
        boolean sawMarker = false;
        try {
            while (true) {
                Task<T> first = sawMarker ? queue.poll()
                        : queue.poll(options.idleInterval().toMillis(), TimeUnit.MILLISECONDS);
                if (first == shutdownMarker) {
                    sawMarker = true;
                    continue;
                }
                if (first == null) {
                    if (sawMarker) {
                        break; // queue drained after the marker: done
                    }
                    idleQuietly();
                    continue;
                }
                group.clear();
                take(first, group);
                List<Task<T>> more = new ArrayList<>(options.maxGroup());
                queue.drainTo(more, options.maxGroup() - 1);
                for (Task<T> t : more) {
                    if (t == shutdownMarker) {
                        sawMarker = true;
                    } else {
                        take(t, group);
                    }
                }
                commitQuietly(group);
                if (!sawMarker) {
                    idleQuietly();
                }
            }
            try {
                committer.finish();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, options.name() + ": finishing failed", t);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failRemaining();
        }
    }

    /** Claims a task for this group unless its caller withdrew it; frees its room either way. */
    private void take(Task<T> t, List<Task<T>> group) {
        room.release();
        if (t.state.compareAndSet(Task.QUEUED, Task.TAKEN)) {
            group.add(t);
        }
    }

    private void commitQuietly(List<Task<T>> group) {
        if (group.isEmpty()) {
            return;
        }
        Throwable failure = null;
        busySince = System.nanoTime() | 1;
        try {
            committer.commit(group);
        } catch (Throwable t) {
            failure = t;
            LOG.log(System.Logger.Level.ERROR, options.name() + ": a commit failed; its tasks get the error", t);
        } finally {
            busySince = 0;
        }
        for (Task<T> t : group) {
            if (!t.isDone()) {
                t.fail(asAnswer(failure));
            }
        }
    }

    private static Throwable asAnswer(Throwable failure) {
        if (failure == null) {
            return new StoreException("the store did not answer this write; nothing of it was stored");
        }
        if (failure instanceof StoreException) {
            return failure;
        }
        if (failure instanceof Error) {
            return new StoreUnavailableException(StoreFailure.INTERNAL, "the store failed on this write (" + failure
                    + "); nothing of this request was stored", 1, true, failure);
        }
        return new StoreUnavailableException(StoreFailure.WRITE_FAILED, "write failed, nothing of this batch was "
                + "stored: " + failure.getMessage(), 1, true, failure);
    }

    private void idleQuietly() {
        maintenanceSince = System.nanoTime() | 1;
        try {
            committer.idle();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, options.name() + ": maintenance failed; will retry", t);
        } finally {
            maintenanceSince = 0;
        }
    }

    /**
     * How long the thread has been inside one commit, or inside maintenance while writes wait (zero otherwise). A
     * store stuck in there (a hung disk, an unanswering server) answers callers with timeouts; health reports it
     * too. Long maintenance with nobody waiting (a rollup backlog) is not a failure.
     */
    public Duration busyFor() {
        long since = busySince;
        if (since == 0 && hasWaiting()) {
            since = maintenanceSince;
        }
        return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** The store's condition as seen from the queue: {@link StoreFailure#TIMEOUT} when stuck past the caller wait. */
    public String stuckMessage() {
        Duration busy = busyFor();
        return busy.compareTo(options.callerWait()) > 0 ? options.name() + " has been inside one commit for "
                + busy.toSeconds() + " s (writes time out meanwhile)" : null;
    }

    private void failRemaining() {
        Task<T> t;
        while ((t = queue.poll()) != null) {
            if (t != shutdownMarker) {
                room.release();
                t.fail(closed());
            }
        }
    }

    /**
     * Stops taking submissions, lets the thread commit what is queued and finish, waiting at most {@code wait};
     * then fails whatever is left. Idempotent.
     */
    public void shutdown(Duration wait) {
        stopping = true;
        queue.add(shutdownMarker);
        if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
            failRemaining();
            return;
        }
        try {
            thread.join(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, options.name() + " did not stop within " + wait
                    + "; failing the writes still queued");
        }
        failRemaining();
    }

    /** True when called on the commit thread (committers assert their single-thread assumption with it). */
    public boolean onCommitThread() {
        return Thread.currentThread() == thread;
    }
}
