package io.continuo.agent.otel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread's span transitions, indexed by time: at {@code time[i]} the thread's innermost open span became
 * {@code span[i]} (0: none), until the next entry. A sample taken at {@code t} belongs to the span of the last entry
 * at or before {@code t}.
 *
 * <p>Why bounded in bytes and by age rather than in entries: JFR hands samples over a second or more after taking
 * them, and on a saturated machine its stream thread can fall many seconds behind. A fixed count of entries (it was
 * 64) covers 1.6 s of a thread that serves 20 requests a second, so under load the history was gone before the
 * samples arrived and a third of in-span samples lost their labels. Here an entry is dropped only when it is older
 * than the retention horizon the reader sets (well past the longest delivery delay seen), or when the thread's byte
 * budget or the registry-wide {@link Budget} is spent; only the second case can cost a label, and it is counted.
 *
 * <p>Layout: primitive arrays used as a ring (oldest at {@code head}), doubling from {@link #MIN_CAPACITY} up to the
 * budget and shrinking back when trimmed, so an idle thread costs under a kilobyte. Not thread-safe: the owning
 * {@link SpanRegistry} track's monitor guards it.
 */
final class SpanHistory {
    /** Bytes one entry occupies: time, span id, trace id (two longs) and a compressed endpoint reference. */
    static final int ENTRY_BYTES = 8 + 8 + 8 + 8 + 4;
    static final int MIN_CAPACITY = 16;

    /** Lookup results. */
    static final int NONE = 0;
    static final int FOUND = 1;
    /** The sample predates what is kept and entries were dropped: the span at that time is unknown. */
    static final int UNKNOWN = 2;

    /** Bytes held by every history of the registry, against one cap. */
    static final class Budget {
        final long maxBytes;
        private final AtomicLong used = new AtomicLong();

        Budget(long maxBytes) { this.maxBytes = maxBytes; }

        boolean tryTake(long bytes) {
            while (true) {
                long u = used.get();
                if (u + bytes > maxBytes) return false;
                if (used.compareAndSet(u, u + bytes)) return true;
            }
        }

        void give(long bytes) { used.addAndGet(-bytes); }

        long used() { return used.get(); }
    }

    private final Budget budget;
    private final int maxCapacity;
    private long[] time;
    private long[] span;
    private long[] traceHi;
    private long[] traceLo;
    private String[] endpoint;
    private int head;
    private int count;
    /** True once any entry was dropped: then a sample older than the oldest entry is UNKNOWN, not NONE. */
    private boolean dropped;
    /** Entries dropped while younger than the horizon (budget spent): each may cost labels. */
    private long overruns;

    /** @param maxBytes this thread's share; rounded down to a power-of-two number of entries */
    SpanHistory(Budget budget, long maxBytes) {
        this.budget = budget;
        int max = MIN_CAPACITY;
        while ((long) max * 2 * ENTRY_BYTES <= maxBytes) max *= 2;
        this.maxCapacity = max;
        allocate(budget.tryTake((long) MIN_CAPACITY * ENTRY_BYTES) ? MIN_CAPACITY : 0);
    }

    int count() { return count; }

    int capacity() { return time.length; }

    long bytes() { return (long) time.length * ENTRY_BYTES; }

    long overruns() { return overruns; }

    /** Time of the newest entry, or Long.MIN_VALUE when empty. */
    long newest() { return count == 0 ? Long.MIN_VALUE : time[(head + count - 1) % time.length]; }

    /**
     * Appends a transition; {@code at} must not be before the newest entry. When full, grows if the budgets allow,
     * else drops the oldest entry (an overrun when it is not older than {@code horizon}).
     */
    void record(long at, long spanId, long hi, long lo, String ep, long horizon) {
        if (count == time.length && !grow()) {
            if (time.length == 0) {
                overruns++;
                dropped = true;
                return;
            }
            if (time[head] >= horizon) overruns++;
            dropped = true;
            head = (head + 1) % time.length;
            count--;
        }
        int i = (head + count) % time.length;
        time[i] = at;
        span[i] = spanId;
        traceHi[i] = spanId == 0 ? 0 : hi;
        traceLo[i] = spanId == 0 ? 0 : lo;
        endpoint[i] = spanId == 0 ? null : ep;
        count++;
    }

    /** Fills {@code out} with the span active at {@code at}: {@link #FOUND}, {@link #NONE} or {@link #UNKNOWN}. */
    int find(long at, SpanRegistry.Hit out) {
        // Binary search over logical positions 0..count-1 (oldest first) for the last entry at or before `at`.
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (time[(head + mid) % time.length] <= at) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) return dropped ? UNKNOWN : NONE;
        int i = (head + found) % time.length;
        if (span[i] == 0) return NONE;
        out.spanId = span[i];
        out.traceHi = traceHi[i];
        out.traceLo = traceLo[i];
        out.endpoint = endpoint[i];
        return FOUND;
    }

    /**
     * Drops entries older than {@code horizon}, except the newest of them (it still says what was active from then
     * on), and gives memory back when at most a quarter of the ring is used.
     */
    void trim(long horizon) {
        while (count > 1 && time[(head + 1) % time.length] <= horizon) {
            head = (head + 1) % time.length;
            count--;
            dropped = true;
        }
        int want = time.length;
        while (want > MIN_CAPACITY && count * 4 <= want) want /= 2;
        if (want < time.length) resize(want);
    }

    /** Gives all memory back to the budget; the history is unusable afterwards. */
    void release() {
        budget.give(bytes());
        allocate(0);
        count = 0;
        head = 0;
    }

    private boolean grow() {
        int cap = time.length;
        int next = cap == 0 ? MIN_CAPACITY : cap * 2;
        if (next > maxCapacity || !budget.tryTake((long) (next - cap) * ENTRY_BYTES)) return false;
        copyInto(next);
        return true;
    }

    private void resize(int capacity) {
        budget.give((long) (time.length - capacity) * ENTRY_BYTES);
        copyInto(capacity);
    }

    private void copyInto(int capacity) {
        long[] t = new long[capacity];
        long[] s = new long[capacity];
        long[] h = new long[capacity];
        long[] l = new long[capacity];
        String[] e = new String[capacity];
        for (int k = 0; k < count; k++) {
            int i = (head + k) % time.length;
            t[k] = time[i];
            s[k] = span[i];
            h[k] = traceHi[i];
            l[k] = traceLo[i];
            e[k] = endpoint[i];
        }
        time = t;
        span = s;
        traceHi = h;
        traceLo = l;
        endpoint = e;
        head = 0;
    }

    private void allocate(int capacity) {
        time = new long[capacity];
        span = new long[capacity];
        traceHi = new long[capacity];
        traceLo = new long[capacity];
        endpoint = new String[capacity];
    }
}
