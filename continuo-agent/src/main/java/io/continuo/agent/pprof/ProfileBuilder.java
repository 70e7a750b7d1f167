package io.continuo.agent.pprof;

import java.util.Arrays;

/**
 * One event family's samples for one interval: interned strings, functions, locations and stacks,
 * and a value row per (stack, thread, span). Everything lives in primitive arrays that are cleared,
 * not reallocated, between intervals, so recording a sample whose stack was seen before allocates
 * nothing. Single-threaded: only the JFR stream thread touches it.
 */
public final class ProfileBuilder {
    /** A hard ceiling on distinct sample rows per interval; beyond it samples are counted as dropped. */
    static final int MAX_SAMPLE_ROWS = 200_000;

    final String[] sampleTypes;
    final String[] sampleUnits;
    final String periodType;
    final String periodUnit;
    final int valueCount;

    final StringTable strings = new StringTable();

    // Functions: name id -> function index; file id per function.
    private final LongIntMap functionByName = new LongIntMap(256);
    int[] functionName = new int[256];
    int[] functionFile = new int[256];
    int functionCount;

    // Locations: (function, line) -> location index.
    private final LongIntMap locationByKey = new LongIntMap(512);
    int[] locationFunction = new int[512];
    int[] locationLine = new int[512];
    int locationCount;

    // Stacks: leaf-first location indexes stored back to back in one pool.
    int[] stackPool = new int[4096];
    int stackPoolSize;
    int[] stackOffset = new int[512];
    int[] stackLength = new int[512];
    int stackCount;
    private int[] stackTable = newTable(1024);
    private int[] building = new int[128];
    private int buildingLength;

    // Spans seen this interval; index+1 is stored in label rows so 0 means "no span".
    private final LongIntMap spanById = new LongIntMap(64);
    int[] spanIdString = new int[64];
    int[] traceIdString = new int[64];
    int[] endpointString = new int[64];
    int spanCount;

    // Label rows: (thread name, span) pairs.
    private final LongIntMap labelsByKey = new LongIntMap(64);
    int[] labelThread = new int[64];
    int[] labelSpan = new int[64];
    int labelCount;

    // Sample rows: (stack, labels) -> values.
    private final LongIntMap sampleByKey = new LongIntMap(1024);
    int[] sampleStack = new int[1024];
    int[] sampleLabels = new int[1024];
    long[] values;
    int sampleCount;
    long droppedSamples;

    long period;
    /** Written as the profile's pprof comment; kept across {@link #clear()}. */
    String comment;

    public ProfileBuilder(String[] sampleTypes, String[] sampleUnits, String periodType, String periodUnit) {
        this.sampleTypes = sampleTypes.clone();
        this.sampleUnits = sampleUnits.clone();
        this.periodType = periodType;
        this.periodUnit = periodUnit;
        this.valueCount = sampleTypes.length;
        this.values = new long[1024 * valueCount];
    }

    public int sampleCount() { return sampleCount; }

    public long droppedSamples() { return droppedSamples; }

    public boolean isEmpty() { return sampleCount == 0; }

    /** The period written into the profile (current sampling period, ns); informational. */
    public void setPeriod(long period) { this.period = period; }

    /** A free-text note carried in the pprof {@code comment} field (e.g. which engine took the samples). */
    public void setComment(String comment) { this.comment = comment; }

    public String comment() { return comment; }

    public void clear() {
        strings.clear();
        functionByName.clear();
        functionCount = 0;
        locationByKey.clear();
        locationCount = 0;
        stackPoolSize = 0;
        stackCount = 0;
        Arrays.fill(stackTable, -1);
        spanById.clear();
        spanCount = 0;
        labelsByKey.clear();
        labelCount = 0;
        sampleByKey.clear();
        Arrays.fill(values, 0, sampleCount * valueCount, 0);
        sampleCount = 0;
        droppedSamples = 0;
    }

    public int intern(String s) { return strings.intern(s); }

    /** @param fileId string id of the source file, or of the class name when the file is unknown */
    public int function(int nameId, int fileId) {
        int idx = functionByName.putIfAbsent(nameId, functionCount);
        if (idx != LongIntMap.MISSING) return idx;
        if (functionCount == functionName.length) {
            functionName = Arrays.copyOf(functionName, functionCount * 2);
            functionFile = Arrays.copyOf(functionFile, functionCount * 2);
        }
        functionName[functionCount] = nameId;
        functionFile[functionCount] = fileId;
        return functionCount++;
    }

    public int location(int function, int line) {
        long key = ((long) function << 32) | (line & 0xFFFFFFFFL);
        int idx = locationByKey.putIfAbsent(key, locationCount);
        if (idx != LongIntMap.MISSING) return idx;
        if (locationCount == locationFunction.length) {
            locationFunction = Arrays.copyOf(locationFunction, locationCount * 2);
            locationLine = Arrays.copyOf(locationLine, locationCount * 2);
        }
        locationFunction[locationCount] = function;
        locationLine[locationCount] = line;
        return locationCount++;
    }

    public void beginStack() { buildingLength = 0; }

    /** Frames are pushed leaf first, the order pprof wants. */
    public void pushFrame(int location) {
        if (buildingLength == building.length) building = Arrays.copyOf(building, buildingLength * 2);
        building[buildingLength++] = location;
    }

    public int endStack() {
        int h = 1;
        for (int i = 0; i < buildingLength; i++) h = 31 * h + building[i];
        h *= 0x9E3779B9;
        int mask = stackTable.length - 1;
        int slot = (h >>> 8) & mask;
        while (true) {
            int id = stackTable[slot];
            if (id < 0) break;
            if (sameStack(id)) return id;
            slot = (slot + 1) & mask;
        }
        if (stackCount == stackOffset.length) {
            stackOffset = Arrays.copyOf(stackOffset, stackCount * 2);
            stackLength = Arrays.copyOf(stackLength, stackCount * 2);
        }
        if (stackPoolSize + buildingLength > stackPool.length) {
            stackPool = Arrays.copyOf(stackPool, Math.max(stackPool.length * 2, stackPoolSize + buildingLength));
        }
        System.arraycopy(building, 0, stackPool, stackPoolSize, buildingLength);
        stackOffset[stackCount] = stackPoolSize;
        stackLength[stackCount] = buildingLength;
        stackPoolSize += buildingLength;
        stackTable[slot] = stackCount;
        int id = stackCount++;
        if (stackCount * 2 > stackTable.length) rehashStacks();
        return id;
    }

    private boolean sameStack(int id) {
        if (stackLength[id] != buildingLength) return false;
        int off = stackOffset[id];
        for (int i = 0; i < buildingLength; i++) {
            if (stackPool[off + i] != building[i]) return false;
        }
        return true;
    }

    private void rehashStacks() {
        stackTable = newTable(stackTable.length * 2);
        int mask = stackTable.length - 1;
        for (int id = 0; id < stackCount; id++) {
            int h = 1;
            int off = stackOffset[id];
            for (int i = 0; i < stackLength[id]; i++) h = 31 * h + stackPool[off + i];
            h *= 0x9E3779B9;
            int slot = (h >>> 8) & mask;
            while (stackTable[slot] >= 0) slot = (slot + 1) & mask;
            stackTable[slot] = id;
        }
    }

    private static int[] newTable(int size) {
        int[] t = new int[size];
        Arrays.fill(t, -1);
        return t;
    }

    /**
     * @param spanId 0 when no span was active; otherwise the span's 64-bit id
     * @return the span reference to pass to {@link #addSample}
     */
    public int span(long spanId, long traceHi, long traceLo, String endpoint) {
        if (spanId == 0) return 0;
        int idx = spanById.putIfAbsent(spanId, spanCount);
        if (idx != LongIntMap.MISSING) return idx + 1;
        if (spanCount == spanIdString.length) {
            spanIdString = Arrays.copyOf(spanIdString, spanCount * 2);
            traceIdString = Arrays.copyOf(traceIdString, spanCount * 2);
            endpointString = Arrays.copyOf(endpointString, spanCount * 2);
        }
        spanIdString[spanCount] = strings.intern(Hex.of(spanId));
        traceIdString[spanCount] = strings.intern(Hex.of(traceHi) + Hex.of(traceLo));
        endpointString[spanCount] = endpoint == null ? 0 : strings.intern(endpoint);
        return ++spanCount;
    }

    public void addSample(int stack, int threadNameId, int spanRef, long v0) {
        int row = row(stack, threadNameId, spanRef);
        if (row >= 0) values[row * valueCount] += v0;
    }

    public void addSample(int stack, int threadNameId, int spanRef, long v0, long v1) {
        int row = row(stack, threadNameId, spanRef);
        if (row >= 0) {
            values[row * valueCount] += v0;
            values[row * valueCount + 1] += v1;
        }
    }

    private int row(int stack, int threadNameId, int spanRef) {
        int labels = labelsByKey.putIfAbsent(((long) threadNameId << 32) | spanRef, labelCount);
        if (labels == LongIntMap.MISSING) {
            if (labelCount == labelThread.length) {
                labelThread = Arrays.copyOf(labelThread, labelCount * 2);
                labelSpan = Arrays.copyOf(labelSpan, labelCount * 2);
            }
            labelThread[labelCount] = threadNameId;
            labelSpan[labelCount] = spanRef;
            labels = labelCount++;
        }
        long key = ((long) stack << 32) | labels;
        int row = sampleByKey.get(key);
        if (row != LongIntMap.MISSING) return row;
        if (sampleCount >= MAX_SAMPLE_ROWS) {
            droppedSamples++;
            return -1;
        }
        sampleByKey.putIfAbsent(key, sampleCount);
        if (sampleCount == sampleStack.length) {
            sampleStack = Arrays.copyOf(sampleStack, sampleCount * 2);
            sampleLabels = Arrays.copyOf(sampleLabels, sampleCount * 2);
            values = Arrays.copyOf(values, sampleCount * 2 * valueCount);
        }
        sampleStack[sampleCount] = stack;
        sampleLabels[sampleCount] = labels;
        return sampleCount++;
    }

    /** Total of one value column, e.g. allocated bytes for the allocation-rate metric. */
    public long total(int valueIndex) {
        long t = 0;
        for (int i = 0; i < sampleCount; i++) t += values[i * valueCount + valueIndex];
        return t;
    }
}
