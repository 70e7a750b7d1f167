package io.continuo.formats.pprof;

import static io.continuo.formats.pprof.PprofFields.*;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Gzip;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.internal.LabelNames;
import io.continuo.formats.internal.WireReader;
import io.continuo.model.Frame;
import io.continuo.model.Labels;
import io.continuo.model.LongIntMap;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.model.StackTable;
import io.continuo.model.ValidationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes pprof ({@code profile.proto}, gzipped or not) into a {@link Profile}, hand-reading the protobuf wire format.
 *
 * <p>Mapping: every sample type is a column ({@link ProfileType#fromPprof}); string labels on samples become the
 * sample's labels (names sanitised to label rules: other characters become {@code _}); numeric labels are ignored
 * (Go's heap profiles put the allocation size there, which would split every stack by size). Inlined functions
 * (several lines on one location, the last line being the caller) become separate frames. A location without lines
 * is named by address: {@code 0x<address>}, or {@code <mapping file base name>+0x<file offset>} when it has a mapping.
 * {@code drop_frames}/{@code keep_frames} are display hints and are not applied. The period is kept only when the
 * period type is in nanoseconds.
 *
 * <p>The message is read in two passes over the top-level fields, because a sample may come before the locations and
 * strings it refers to: the first pass decodes the symbol tables, the second decodes samples against them.
 */
public final class PprofReader {
    public static final String FORMAT = "pprof";
    private static final String NANOSECONDS = "nanoseconds";
    /** Real profiles carry 1 to 4 sample types; each is a column of every sample, so bound them. */
    private static final int MAX_SAMPLE_TYPES = 64;

    private final byte[] data;
    private final DecodeLimits limits;

    // string table
    private final List<String> stringList = new ArrayList<>();
    private String[] strings;
    // sample types: string indexes
    private long[] typeNames = new long[4];
    private long[] typeUnits = new long[4];
    private int typeCount;
    // mappings
    private final LongIntMap mappingIndex = new LongIntMap(16);
    private long[] mapStart = new long[8];
    private long[] mapOffset = new long[8];
    private long[] mapFile = new long[8];
    private int mappingCount;
    // functions
    private final LongIntMap functionIndex = new LongIntMap(1024);
    private long[] fnName = new long[256];
    private long[] fnSystemName = new long[256];
    private long[] fnFile = new long[256];
    private int[] fnOffset = new int[256];
    private int functionCount;
    // locations and their lines
    private final LongIntMap locationIndex = new LongIntMap(1024);
    private long[] locMapping = new long[256];
    private long[] locAddress = new long[256];
    private int[] locLineStart = new int[256];
    private int[] locLineCount = new int[256];
    private int[] locOffset = new int[256];
    private int locationCount;
    private long[] lineFunction = new long[256];
    private long[] lineNumber = new long[256];
    private int lineCount;
    // scalars
    private long timeNanos;
    private long durationNanos;
    private long periodTypeName;
    private long periodTypeUnit;
    private long period;
    private int sampleMessages;

    /** Per location: its frames (model frame ids) root first, inlined callees last; built on first use. */
    private int[][] locationFrames;
    private final Map<LabelKey, Labels> labelCache = new HashMap<>();
    private final Map<String, String> labelNames = new HashMap<>();

    private PprofReader(byte[] data, DecodeLimits limits) {
        this.data = data;
        this.limits = limits;
    }

    /** Decodes a pprof profile, gzipped or raw. Malformed input ends in {@link ProfileFormatException}. */
    public static Profile read(byte[] gzippedOrRaw, DecodeLimits limits) {
        byte[] raw = Gzip.maybeDecompress(gzippedOrRaw, limits, FORMAT);
        return new PprofReader(raw, limits).decode();
    }

    public static Profile read(byte[] gzippedOrRaw) {
        return read(gzippedOrRaw, DecodeLimits.DEFAULT);
    }

    private Profile decode() {
        readSymbols();
        strings = stringList.toArray(new String[0]);
        if (strings.length > 0 && !strings[0].isEmpty()) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "string_table[0] must be empty");
        }
        if (typeCount == 0) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "no sample_type");
        }
        List<ProfileType> types = new ArrayList<>(typeCount);
        for (int t = 0; t < typeCount; t++) {
            types.add(ProfileType.fromPprof(string(typeNames[t], -1), string(typeUnits[t], -1)));
        }
        ProfileBuilder builder = new ProfileBuilder(types, limits.maxStackDepth(), sampleMessages);
        builder.window(timeNanos, durationNanos);
        if (period > 0 && NANOSECONDS.equalsIgnoreCase(string(periodTypeUnit, -1))) {
            builder.period(period);
        }
        locationFrames = new int[locationCount][];
        frameSink = builder;
        readSamples(builder);
        return builder.build();
    }

    // ---- pass 1: everything except samples ----

    private void readSymbols() {
        WireReader in = new WireReader(FORMAT, data);
        while (!in.atEnd()) {
            int tag = in.tag();
            switch (WireReader.field(tag)) {
                case PROFILE_SAMPLE_TYPE -> readSampleType(in, tag);
                case PROFILE_SAMPLE -> {
                    in.skipLengthDelimited(tag);
                    if (++sampleMessages > limits.maxSamples()) {
                        throw in.error("more than maxSamples " + limits.maxSamples() + " samples");
                    }
                }
                case PROFILE_MAPPING -> readMapping(in, tag);
                case PROFILE_LOCATION -> readLocation(in, tag);
                case PROFILE_FUNCTION -> readFunction(in, tag);
                case PROFILE_STRING_TABLE -> {
                    if (stringList.size() >= limits.maxStrings()) {
                        throw in.error("more than maxStrings " + limits.maxStrings() + " strings");
                    }
                    stringList.add(in.string(tag));
                }
                case PROFILE_TIME_NANOS -> timeNanos = in.varint(tag);
                case PROFILE_DURATION_NANOS -> durationNanos = in.varint(tag);
                case PROFILE_PERIOD_TYPE -> {
                    int token = in.push(tag);
                    while (!in.atEnd()) {
                        int t = in.tag();
                        switch (WireReader.field(t)) {
                            case VALUE_TYPE_TYPE -> periodTypeName = in.varint(t);
                            case VALUE_TYPE_UNIT -> periodTypeUnit = in.varint(t);
                            default -> in.skip(t);
                        }
                    }
                    in.pop(token);
                }
                case PROFILE_PERIOD -> period = in.varint(tag);
                default -> in.skip(tag); // drop/keep frames, comments, default type: not needed
            }
        }
    }

    private void readSampleType(WireReader in, int tag) {
        if (typeCount == typeNames.length) {
            typeNames = Arrays.copyOf(typeNames, typeCount * 2);
            typeUnits = Arrays.copyOf(typeUnits, typeCount * 2);
        }
        if (typeCount >= MAX_SAMPLE_TYPES) {
            throw in.error("more than " + MAX_SAMPLE_TYPES + " sample types");
        }
        long name = 0;
        long unit = 0;
        int token = in.push(tag);
        while (!in.atEnd()) {
            int t = in.tag();
            switch (WireReader.field(t)) {
                case VALUE_TYPE_TYPE -> name = in.varint(t);
                case VALUE_TYPE_UNIT -> unit = in.varint(t);
                default -> in.skip(t);
            }
        }
        in.pop(token);
        typeNames[typeCount] = name;
        typeUnits[typeCount] = unit;
        typeCount++;
    }

    private void readMapping(WireReader in, int tag) {
        if (mappingCount >= limits.maxSymbols()) {
            throw in.error("more than maxSymbols " + limits.maxSymbols() + " mappings");
        }
        long id = 0;
        long start = 0;
        long offset = 0;
        long file = 0;
        int token = in.push(tag);
        while (!in.atEnd()) {
            int t = in.tag();
            switch (WireReader.field(t)) {
                case MAPPING_ID -> id = in.varint(t);
                case MAPPING_MEMORY_START -> start = in.varint(t);
                case MAPPING_FILE_OFFSET -> offset = in.varint(t);
                case MAPPING_FILENAME -> file = in.varint(t);
                default -> in.skip(t);
            }
        }
        in.pop(token);
        checkId(in, id, "mapping");
        if (mappingIndex.get(id) != LongIntMap.MISSING) {
            throw in.error("duplicate mapping id " + id);
        }
        if (mappingCount == mapStart.length) {
            int n = mappingCount * 2;
            mapStart = Arrays.copyOf(mapStart, n);
            mapOffset = Arrays.copyOf(mapOffset, n);
            mapFile = Arrays.copyOf(mapFile, n);
        }
        mapStart[mappingCount] = start;
        mapOffset[mappingCount] = offset;
        mapFile[mappingCount] = file;
        mappingIndex.put(id, mappingCount++);
    }

    private void readFunction(WireReader in, int tag) {
        if (functionCount >= limits.maxSymbols()) {
            throw in.error("more than maxSymbols " + limits.maxSymbols() + " functions");
        }
        int at = (int) in.offset();
        long id = 0;
        long name = 0;
        long systemName = 0;
        long file = 0;
        int token = in.push(tag);
        while (!in.atEnd()) {
            int t = in.tag();
            switch (WireReader.field(t)) {
                case FUNCTION_ID -> id = in.varint(t);
                case FUNCTION_NAME -> name = in.varint(t);
                case FUNCTION_SYSTEM_NAME -> systemName = in.varint(t);
                case FUNCTION_FILENAME -> file = in.varint(t);
                default -> in.skip(t);
            }
        }
        in.pop(token);
        checkId(in, id, "function");
        if (functionIndex.get(id) != LongIntMap.MISSING) {
            throw in.error("duplicate function id " + id);
        }
        if (functionCount == fnName.length) {
            int n = functionCount * 2;
            fnName = Arrays.copyOf(fnName, n);
            fnSystemName = Arrays.copyOf(fnSystemName, n);
            fnFile = Arrays.copyOf(fnFile, n);
            fnOffset = Arrays.copyOf(fnOffset, n);
        }
        fnName[functionCount] = name;
        fnSystemName[functionCount] = systemName;
        fnFile[functionCount] = file;
        fnOffset[functionCount] = at;
        functionIndex.put(id, functionCount++);
    }

    private void readLocation(WireReader in, int tag) {
        if (locationCount >= limits.maxSymbols()) {
            throw in.error("more than maxSymbols " + limits.maxSymbols() + " locations");
        }
        int at = (int) in.offset();
        long id = 0;
        long mapping = 0;
        long address = 0;
        int firstLine = lineCount;
        int token = in.push(tag);
        while (!in.atEnd()) {
            int t = in.tag();
            switch (WireReader.field(t)) {
                case LOCATION_ID -> id = in.varint(t);
                case LOCATION_MAPPING_ID -> mapping = in.varint(t);
                case LOCATION_ADDRESS -> address = in.varint(t);
                case LOCATION_LINE -> readLine(in, t);
                default -> in.skip(t);
            }
        }
        in.pop(token);
        checkId(in, id, "location");
        if (locationIndex.get(id) != LongIntMap.MISSING) {
            throw in.error("duplicate location id " + id);
        }
        if (locationCount == locMapping.length) {
            int n = locationCount * 2;
            locMapping = Arrays.copyOf(locMapping, n);
            locAddress = Arrays.copyOf(locAddress, n);
            locLineStart = Arrays.copyOf(locLineStart, n);
            locLineCount = Arrays.copyOf(locLineCount, n);
            locOffset = Arrays.copyOf(locOffset, n);
        }
        locMapping[locationCount] = mapping;
        locAddress[locationCount] = address;
        locLineStart[locationCount] = firstLine;
        locLineCount[locationCount] = lineCount - firstLine;
        locOffset[locationCount] = at;
        locationIndex.put(id, locationCount++);
    }

    private void readLine(WireReader in, int tag) {
        if (lineCount >= limits.maxSymbols()) {
            throw in.error("more than maxSymbols " + limits.maxSymbols() + " lines");
        }
        long function = 0;
        long line = 0;
        int token = in.push(tag);
        while (!in.atEnd()) {
            int t = in.tag();
            switch (WireReader.field(t)) {
                case LINE_FUNCTION_ID -> function = in.varint(t);
                case LINE_LINE -> line = in.varint(t);
                default -> in.skip(t);
            }
        }
        in.pop(token);
        if (lineCount == lineFunction.length) {
            lineFunction = Arrays.copyOf(lineFunction, lineCount * 2);
            lineNumber = Arrays.copyOf(lineNumber, lineCount * 2);
        }
        lineFunction[lineCount] = function;
        lineNumber[lineCount] = line;
        lineCount++;
    }

    private static void checkId(WireReader in, long id, String what) {
        // id 0 is "unset" in pprof; Long.MIN_VALUE is the map's reserved key.
        if (id == 0 || id == LongIntMap.FREE) {
            throw in.error("invalid " + what + " id " + id);
        }
    }

    private String string(long index, long offset) {
        if (index < 0 || index >= strings.length) {
            if (index == 0) {
                return "";
            }
            throw new ProfileFormatException(FORMAT, offset, "string index " + index + " out of range (table has "
                    + strings.length + " strings)");
        }
        return strings[(int) index];
    }

    // ---- pass 2: samples ----

    private void readSamples(ProfileBuilder builder) {
        int width = typeCount;
        long[] values = new long[width];
        int[] locations = new int[64];
        int[] labelPairs = new int[16];
        LabelKey probe = new LabelKey();
        WireReader in = new WireReader(FORMAT, data);
        while (!in.atEnd()) {
            int tag = in.tag();
            if (WireReader.field(tag) != PROFILE_SAMPLE) {
                in.skip(tag);
                continue;
            }
            long sampleOffset = in.offset();
            int locationCount = 0;
            int valueCount = 0;
            int pairCount = 0;
            int depth = 0;
            int token = in.push(tag);
            while (!in.atEnd()) {
                int t = in.tag();
                switch (WireReader.field(t)) {
                    case SAMPLE_LOCATION_ID -> {
                        if (WireReader.wireType(t) == WireReader.WIRETYPE_LENGTH_DELIMITED) {
                            int packed = in.push();
                            while (!in.atEnd()) {
                                if (locationCount == locations.length) {
                                    locations = growLocations(in, locations);
                                }
                                locations[locationCount] = resolveLocation(in, in.varint());
                                depth += frames(locations[locationCount++]).length;
                            }
                            in.pop(packed);
                        } else {
                            if (locationCount == locations.length) {
                                locations = growLocations(in, locations);
                            }
                            locations[locationCount] = resolveLocation(in, in.varint(t));
                            depth += frames(locations[locationCount++]).length;
                        }
                        if (depth > limits.maxStackDepth()) {
                            throw in.error("stack deeper than maxStackDepth " + limits.maxStackDepth() + " frames");
                        }
                    }
                    case SAMPLE_VALUE -> {
                        if (WireReader.wireType(t) == WireReader.WIRETYPE_LENGTH_DELIMITED) {
                            int packed = in.push();
                            while (!in.atEnd()) {
                                long v = in.varint();
                                if (valueCount >= width) {
                                    throw in.error("sample has more values than the " + width + " sample types");
                                }
                                values[valueCount++] = v;
                            }
                            in.pop(packed);
                        } else {
                            long v = in.varint(t);
                            if (valueCount >= width) {
                                throw in.error("sample has more values than the " + width + " sample types");
                            }
                            values[valueCount++] = v;
                        }
                    }
                    case SAMPLE_LABEL -> {
                        long key = 0;
                        long str = 0;
                        int label = in.push(t);
                        while (!in.atEnd()) {
                            int lt = in.tag();
                            switch (WireReader.field(lt)) {
                                case LABEL_KEY -> key = in.varint(lt);
                                case LABEL_STR -> str = in.varint(lt);
                                default -> in.skip(lt); // numeric labels: ignored, see class doc
                            }
                        }
                        in.pop(label);
                        if (str != 0) {
                            if (pairCount / 2 >= limits.maxLabelsPerSample()) {
                                throw in.error("sample has more than maxLabelsPerSample " + limits.maxLabelsPerSample() + " labels");
                            }
                            if (key <= 0 || key >= strings.length || str < 0 || str >= strings.length) {
                                throw in.error("label string index out of range");
                            }
                            if (pairCount + 2 > labelPairs.length) {
                                labelPairs = Arrays.copyOf(labelPairs, labelPairs.length * 2);
                            }
                            labelPairs[pairCount++] = (int) key;
                            labelPairs[pairCount++] = (int) str;
                        }
                    }
                    default -> in.skip(t);
                }
            }
            in.pop(token);
            if (valueCount != width) {
                throw new ProfileFormatException(FORMAT, sampleOffset, "sample has " + valueCount + " values, expected "
                        + width + " (one per sample type)");
            }
            int stack = StackTable.ROOT;
            for (int i = locationCount - 1; i >= 0; i--) {
                for (int frame : locationFrames[locations[i]]) {
                    stack = builder.childStack(stack, frame);
                }
            }
            Labels labels = pairCount == 0 ? Labels.EMPTY : labels(probe, labelPairs, pairCount, sampleOffset);
            builder.addSample(stack, values, labels);
        }
    }

    private int[] growLocations(WireReader in, int[] locations) {
        if (locations.length > limits.maxStackDepth()) {
            throw in.error("stack deeper than maxStackDepth " + limits.maxStackDepth() + " frames");
        }
        return Arrays.copyOf(locations, locations.length * 2);
    }

    private int resolveLocation(WireReader in, long id) {
        int index = id == LongIntMap.FREE ? LongIntMap.MISSING : locationIndex.get(id);
        if (index == LongIntMap.MISSING) {
            throw in.error("sample refers to unknown location id " + id);
        }
        return index;
    }

    /** The frames of one location root first (the caller line first, the innermost inlined function last). */
    private int[] frames(int location) {
        int[] frames = locationFrames[location];
        if (frames != null) {
            return frames;
        }
        return locationFrames[location] = buildFrames(location);
    }

    private ProfileBuilder frameSink;

    private int[] buildFrames(int location) {
        int count = locLineCount[location];
        long at = locOffset[location];
        if (count == 0) {
            return new int[] {frameSink.frame(Frame.of(addressName(location, at)))};
        }
        int[] out = new int[count];
        int first = locLineStart[location];
        for (int i = 0; i < count; i++) {
            int line = first + count - 1 - i; // pprof lists the innermost function first
            long functionId = lineFunction[line];
            int fn = functionId == LongIntMap.FREE ? LongIntMap.MISSING : functionIndex.get(functionId);
            if (fn == LongIntMap.MISSING) {
                throw new ProfileFormatException(FORMAT, at, "location refers to unknown function id " + functionId);
            }
            String name = string(fnName[fn], fnOffset[fn]);
            if (name.isEmpty()) {
                name = string(fnSystemName[fn], fnOffset[fn]);
            }
            long lineNo = lineNumber[line];
            int lineInt = lineNo < 0 || lineNo > Integer.MAX_VALUE ? 0 : (int) lineNo;
            out[i] = frameSink.frame(new Frame(name, string(fnFile[fn], fnOffset[fn]), lineInt));
        }
        return out;
    }

    private String addressName(int location, long at) {
        long address = locAddress[location];
        long mappingId = locMapping[location];
        int mapping = mappingId == 0 || mappingId == LongIntMap.FREE ? LongIntMap.MISSING : mappingIndex.get(mappingId);
        if (mapping != LongIntMap.MISSING) {
            String file = string(mapFile[mapping], at);
            if (!file.isEmpty()) {
                int slash = file.lastIndexOf('/');
                return file.substring(slash + 1) + "+0x" + Long.toHexString(address - mapStart[mapping] + mapOffset[mapping]);
            }
        }
        return "0x" + Long.toHexString(address);
    }

    private Labels labels(LabelKey probe, int[] pairs, int count, long at) {
        probe.set(pairs, count);
        Labels cached = labelCache.get(probe);
        if (cached != null) {
            return cached;
        }
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < count; i += 2) {
            String name = labelNames.computeIfAbsent(strings[pairs[i]], LabelNames::sanitize);
            try {
                b.put(name, strings[pairs[i + 1]]);
            } catch (ValidationException e) {
                throw new ProfileFormatException(FORMAT, at, e.getMessage(), e);
            }
        }
        Labels labels = b.build();
        labelCache.put(probe.copy(), labels);
        return labels;
    }

    /** A sample's label pairs as string indexes: a hash key that a probe instance can look up without copying. */
    private static final class LabelKey {
        private int[] pairs;
        private int count;
        private int hash;

        void set(int[] pairs, int count) {
            this.pairs = pairs;
            this.count = count;
            int h = 1;
            for (int i = 0; i < count; i++) {
                h = 31 * h + pairs[i];
            }
            this.hash = h;
        }

        LabelKey copy() {
            LabelKey k = new LabelKey();
            k.set(Arrays.copyOf(pairs, count), count);
            return k;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LabelKey k && k.count == count && Arrays.equals(pairs, 0, count, k.pairs, 0, count);
        }
    }
}
