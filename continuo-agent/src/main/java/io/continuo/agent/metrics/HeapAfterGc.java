package io.continuo.agent.metrics;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The whole heap in use right after each collection, young ones included: the sum over all heap pools of the
 * usage after GC that every collection's notification carries.
 *
 * <p>Why not {@code MemoryPoolMXBean.getCollectionUsage()} (what the agent summed before): a pool's collection usage
 * changes only when that pool is collected, and G1's old generation is collected only by mixed or full
 * collections, which a slowly leaking app with a large heap does not run until the heap is about half full. So
 * the old generation's share stayed at its value from start-up while the leak filled it: in a 1 GB heap the reading
 * sat at ~6 MB for minutes, then jumped once. After a young collection the old generation's usage is current (it is
 * reported for every pool), so this reading rises with the retained set from the first minute.
 *
 * <p>Listeners run on the JVM's notification thread; they only add a few numbers. Nothing is reported before the
 * first collection.
 */
public final class HeapAfterGc implements NotificationListener {
    private final Set<String> heapPools = new HashSet<>();
    private volatile long last = -1;
    private volatile long collections;
    private volatile long oldCollections;
    private boolean started;

    /** Registers with every collector that emits notifications; false when none does (then no reading). */
    public synchronized boolean start() {
        if (started) return true;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) heapPools.add(pool.getName());
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter) {
                ((NotificationEmitter) gc).addNotificationListener(this, null, null);
                started = true;
            }
        }
        return started;
    }

    /** Bytes in use in the heap after the latest collection, -1 before the first. */
    public long lastBytes() { return last; }

    /** Collections seen since {@link #start()}. */
    public long collections() { return collections; }

    /** Collections of the whole heap or its old generation seen (G1 mixed and young ones are not among them). */
    public long oldCollections() { return oldCollections; }

    @Override
    public void handleNotification(Notification n, Object handback) {
        try {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            GcInfo gc = info.getGcInfo();
            long after = sumHeap(gc.getMemoryUsageAfterGc(), heapPools);
            if (after < 0) return;
            last = after;
            collections++;
            if (isOld(info.getGcName(), info.getGcAction())) oldCollections++;
        } catch (RuntimeException ignored) {
            // A malformed notification costs one reading, never the app's GC thread.
        }
    }

    /** Sum of the heap pools' usage; -1 when none of them is in the map. */
    static long sumHeap(Map<String, MemoryUsage> usage, Set<String> heapPools) {
        long sum = 0;
        boolean any = false;
        for (Map.Entry<String, MemoryUsage> e : usage.entrySet()) {
            if (heapPools.contains(e.getKey()) && e.getValue() != null) {
                sum += e.getValue().getUsed();
                any = true;
            }
        }
        return any ? sum : -1;
    }

    /** Full or old-generation collections by collector name and action (G1, Parallel, Serial, ZGC, Shenandoah). */
    static boolean isOld(String gcName, String gcAction) {
        return gcAction != null && gcAction.contains("major")
                || gcName != null && (gcName.contains("Old") || gcName.contains("MarkSweep") || gcName.contains("Major"));
    }
}
