package io.continuo.formats.otlp;

import io.continuo.formats.ProfileFormatException;
import io.continuo.model.Frame;
import io.continuo.model.Labels;
import io.continuo.model.LongIntMap;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.StackTable;
import io.continuo.model.ValidationException;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of one OTLP profile that belongs to one service: its series labels and a {@link ProfileBuilder}, with
 * the dictionary's locations and stacks turned into this builder's frames and stacks once each, on first use.
 */
final class ServiceProfile {
    private final OtlpDictionary dictionary;
    private final ProtoCursor in;
    final Labels labels;
    final ProfileBuilder builder;
    /**
     * Dictionary stack index to this builder's stack id. Maps rather than arrays the size of the tables: a request
     * may hold a million locations and a thousand services, and each service touches only its own.
     */
    private final LongIntMap stacks = new LongIntMap(64);
    /** Dictionary location index to its slot in {@link #locationFrames}. */
    private final LongIntMap locationSlots = new LongIntMap(64);
    /** Per used location: its frames root first (the caller first, the innermost inlined function last). */
    private final List<int[]> locationFrames = new ArrayList<>();
    private int[] path = new int[64];
    private int pathLength;

    ServiceProfile(OtlpDictionary dictionary, ProtoCursor in, Labels labels, OtlpProfileType type, int maxStackDepth,
                   int expectedSamples) {
        this.dictionary = dictionary;
        this.in = in;
        this.labels = labels;
        this.builder = new ProfileBuilder(List.of(type.type()), maxStackDepth, expectedSamples);
        if (type.periodNanos() > 0) {
            builder.period(type.periodNanos());
        }
    }

    void add(int stackIndex, long value, Labels sampleLabels) {
        builder.addValue(stack(stackIndex), 0, value, sampleLabels);
    }

    private int stack(int index) {
        if (dictionary.stackCount() == 0) {
            return StackTable.ROOT; // stack_index 0 of a request without a stack table: the zero (empty) stack
        }
        int cached = stacks.get(index);
        if (cached != LongIntMap.MISSING) {
            return cached;
        }
        pathLength = 0;
        long saved = in.moveTo(dictionary.stackStart.get(index), dictionary.stackEnd.get(index));
        try {
            dictionary.forEachLocation(in, index, this::collect);
        } finally {
            in.restore(saved);
        }
        int stack = StackTable.ROOT;
        try {
            for (int i = pathLength - 1; i >= 0; i--) { // OTLP lists the leaf first
                for (int frame : frames(path[i])) {
                    stack = builder.childStack(stack, frame);
                }
            }
        } catch (ValidationException e) {
            throw new ProfileFormatException(OtlpProfilesReader.FORMAT, ProfileFormatException.UNKNOWN_OFFSET,
                    "stack_table[" + index + "]: " + e.getMessage());
        }
        stacks.put(index, stack);
        return stack;
    }

    private void collect(int location) {
        if (pathLength == path.length) {
            path = java.util.Arrays.copyOf(path, pathLength * 2);
        }
        path[pathLength++] = location;
    }

    private int[] frames(int location) {
        if (dictionary.locationCount() == 0) {
            return new int[] {builder.frame(Frame.of("0x0"))};
        }
        int slot = locationSlots.get(location);
        if (slot != LongIntMap.MISSING) {
            return locationFrames.get(slot);
        }
        int[] frames = buildFrames(location);
        locationSlots.put(location, locationFrames.size());
        locationFrames.add(frames);
        return frames;
    }

    private int[] buildFrames(int location) {
        int count = dictionary.locationLineCount.get(location);
        if (count == 0) {
            return new int[] {builder.frame(Frame.of(addressName(location)))};
        }
        int first = dictionary.locationFirstLine.get(location);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            int line = first + count - 1 - i; // lines[0] is the innermost inlined function, the last the caller
            out[i] = builder.frame(frame(dictionary.lineFunction.get(line), dictionary.lineNumber.get(line)));
        }
        return out;
    }

    private Frame frame(int function, long lineNumber) {
        int line = lineNumber < 0 || lineNumber > Integer.MAX_VALUE ? 0 : (int) lineNumber;
        if (dictionary.functionCount() == 0) {
            return new Frame("", "", line);
        }
        String name = dictionary.string(dictionary.functionName.get(function));
        if (name.isEmpty()) {
            name = dictionary.string(dictionary.functionSystemName.get(function));
        }
        return new Frame(name, dictionary.string(dictionary.functionFile.get(function)), line);
    }

    /**
     * An unsymbolized frame (the eBPF profiler leaves native code to later symbolization): named by its binary and
     * file offset, {@code libc.so.6+0x9a2b1}, as the pprof decoder names such frames, else by address.
     */
    private String addressName(int location) {
        long address = dictionary.locationAddress.get(location);
        int mapping = dictionary.locationMapping.get(location);
        if (mapping > 0) {
            String file = dictionary.string(dictionary.mappingFile.get(mapping));
            if (!file.isEmpty()) {
                long offset = address - dictionary.mappingStart.get(mapping) + dictionary.mappingFileOffset.get(mapping);
                return file.substring(file.lastIndexOf('/') + 1) + "+0x" + Long.toHexString(offset);
            }
        }
        return "0x" + Long.toHexString(address);
    }
}
