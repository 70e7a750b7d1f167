package io.continuo.formats.otlp;

import static io.continuo.formats.otlp.OtlpFields.*;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.ProfileFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * The request-wide {@code ProfilesDictionary}: strings, mappings, locations (with their lines), functions, stacks,
 * attributes and links, held in primitive tables. Every cross-reference inside the dictionary is checked once when it
 * is read, so the sample decoder only has to check the indexes samples carry. Stacks are kept as regions of the
 * input and their location indexes re-read on first use, so a large stack table costs no copy.
 */
final class OtlpDictionary {
    static final String FORMAT = OtlpProfilesReader.FORMAT;

    private final DecodeLimits limits;
    private final List<String> stringList = new ArrayList<>();
    private String[] strings = {""};

    final GrowableLongs mappingStart = new GrowableLongs();
    final GrowableLongs mappingFileOffset = new GrowableLongs();
    final GrowableInts mappingFile = new GrowableInts();

    final GrowableInts locationMapping = new GrowableInts();
    final GrowableLongs locationAddress = new GrowableLongs();
    final GrowableInts locationFirstLine = new GrowableInts();
    final GrowableInts locationLineCount = new GrowableInts();
    final GrowableInts lineFunction = new GrowableInts();
    final GrowableLongs lineNumber = new GrowableLongs();

    final GrowableInts functionName = new GrowableInts();
    final GrowableInts functionSystemName = new GrowableInts();
    final GrowableInts functionFile = new GrowableInts();

    /** Each stack's Stack message as a region [start, end) of the input. */
    final GrowableInts stackStart = new GrowableInts();
    final GrowableInts stackEnd = new GrowableInts();

    private final GrowableInts attributeKey = new GrowableInts();
    private final GrowableInts attributeValueIndex = new GrowableInts();
    private final List<String> attributeInlineValue = new ArrayList<>();
    /** Attribute values resolved to strings; null where the value is not a string (those never become labels). */
    private String[] attributeValue = new String[0];

    final List<String> linkTraceId = new ArrayList<>();
    final List<String> linkSpanId = new ArrayList<>();

    private OtlpDictionary(DecodeLimits limits) {
        this.limits = limits;
    }

    /** A request without a dictionary: only the zero entries exist. */
    static OtlpDictionary empty(DecodeLimits limits) {
        return new OtlpDictionary(limits);
    }

    /** Reads the dictionary message the cursor is inside of, then checks every reference it holds. */
    static OtlpDictionary read(ProtoCursor in, DecodeLimits limits) {
        OtlpDictionary d = new OtlpDictionary(limits);
        while (in.more()) {
            int tag = in.tag();
            switch (ProtoCursor.field(tag)) {
                case DICTIONARY_STRING_TABLE -> {
                    if (d.stringList.size() >= limits.maxStrings()) {
                        throw in.error("more than maxStrings " + limits.maxStrings() + " strings");
                    }
                    d.stringList.add(in.string(tag));
                }
                case DICTIONARY_MAPPING_TABLE -> d.readMapping(in, tag);
                case DICTIONARY_LOCATION_TABLE -> d.readLocation(in, tag);
                case DICTIONARY_FUNCTION_TABLE -> d.readFunction(in, tag);
                case DICTIONARY_STACK_TABLE -> d.readStack(in, tag);
                case DICTIONARY_ATTRIBUTE_TABLE -> d.readAttribute(in, tag);
                case DICTIONARY_LINK_TABLE -> d.readLink(in, tag);
                default -> in.skip(tag);
            }
        }
        d.finish(in);
        return d;
    }

    private void checkCount(ProtoCursor in, int count, String table) {
        if (count >= limits.maxSymbols()) {
            throw in.error("more than maxSymbols " + limits.maxSymbols() + " entries in " + table);
        }
    }

    private void readMapping(ProtoCursor in, int tag) {
        checkCount(in, mappingFile.size(), "mapping_table");
        long start = 0;
        long offset = 0;
        int file = 0;
        int outer = in.enter(tag);
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case MAPPING_MEMORY_START -> start = in.varint(t);
                case MAPPING_FILE_OFFSET -> offset = in.varint(t);
                case MAPPING_FILENAME_STRINDEX -> file = in.int32(t);
                default -> in.skip(t);
            }
        }
        in.exit(outer);
        mappingStart.add(start);
        mappingFileOffset.add(offset);
        mappingFile.add(file);
    }

    private void readLocation(ProtoCursor in, int tag) {
        checkCount(in, locationMapping.size(), "location_table");
        int mapping = 0;
        long address = 0;
        int firstLine = lineFunction.size();
        int outer = in.enter(tag);
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case LOCATION_MAPPING_INDEX -> mapping = in.int32(t);
                case LOCATION_ADDRESS -> address = in.varint(t);
                case LOCATION_LINES -> readLine(in, t);
                default -> in.skip(t);
            }
        }
        in.exit(outer);
        locationMapping.add(mapping);
        locationAddress.add(address);
        locationFirstLine.add(firstLine);
        locationLineCount.add(lineFunction.size() - firstLine);
    }

    private void readLine(ProtoCursor in, int tag) {
        checkCount(in, lineFunction.size(), "location lines");
        int function = 0;
        long line = 0;
        int outer = in.enter(tag);
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case LINE_FUNCTION_INDEX -> function = in.int32(t);
                case LINE_LINE -> line = in.varint(t);
                default -> in.skip(t);
            }
        }
        in.exit(outer);
        lineFunction.add(function);
        lineNumber.add(line);
    }

    private void readFunction(ProtoCursor in, int tag) {
        checkCount(in, functionName.size(), "function_table");
        int name = 0;
        int systemName = 0;
        int file = 0;
        int outer = in.enter(tag);
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case FUNCTION_NAME_STRINDEX -> name = in.int32(t);
                case FUNCTION_SYSTEM_NAME_STRINDEX -> systemName = in.int32(t);
                case FUNCTION_FILENAME_STRINDEX -> file = in.int32(t);
                default -> in.skip(t);
            }
        }
        in.exit(outer);
        functionName.add(name);
        functionSystemName.add(systemName);
        functionFile.add(file);
    }

    private void readStack(ProtoCursor in, int tag) {
        checkCount(in, stackStart.size(), "stack_table");
        long region = in.skipRegion(tag);
        stackStart.add((int) (region >>> 32));
        stackEnd.add((int) region);
    }

    private void readAttribute(ProtoCursor in, int tag) {
        checkCount(in, attributeKey.size(), "attribute_table");
        int key = 0;
        String inline = null;
        int valueIndex = -1;
        int outer = in.enter(tag);
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case KEY_VALUE_AND_UNIT_KEY_STRINDEX -> key = in.int32(t);
                case KEY_VALUE_AND_UNIT_VALUE -> {
                    int value = in.enter(t);
                    while (in.more()) {
                        int vt = in.tag();
                        switch (ProtoCursor.field(vt)) {
                            case ANY_VALUE_STRING_VALUE -> inline = in.string(vt);
                            case ANY_VALUE_STRING_VALUE_STRINDEX -> valueIndex = in.int32(vt);
                            default -> in.skip(vt); // numbers, booleans, arrays: not labels
                        }
                    }
                    in.exit(value);
                }
                default -> in.skip(t);
            }
        }
        in.exit(outer);
        attributeKey.add(key);
        attributeValueIndex.add(valueIndex);
        attributeInlineValue.add(inline);
    }

    private void readLink(ProtoCursor in, int tag) {
        checkCount(in, linkTraceId.size(), "link_table");
        String trace = "";
        String span = "";
        int outer = in.enter(tag);
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case LINK_TRACE_ID -> trace = in.hex(t);
                case LINK_SPAN_ID -> span = in.hex(t);
                default -> in.skip(t);
            }
        }
        in.exit(outer);
        linkTraceId.add(trace);
        linkSpanId.add(span);
    }

    /** Resolves attribute strings and checks every index inside the dictionary against its table. */
    private void finish(ProtoCursor in) {
        if (!stringList.isEmpty()) {
            if (!stringList.get(0).isEmpty()) {
                throw error("string_table[0] must be the empty string");
            }
            strings = stringList.toArray(new String[0]);
        }
        for (int i = 0; i < mappingFile.size(); i++) {
            checkString(mappingFile.get(i), "mapping_table", i, "filename_strindex");
        }
        for (int i = 0; i < functionName.size(); i++) {
            checkString(functionName.get(i), "function_table", i, "name_strindex");
            checkString(functionSystemName.get(i), "function_table", i, "system_name_strindex");
            checkString(functionFile.get(i), "function_table", i, "filename_strindex");
        }
        for (int i = 0; i < locationMapping.size(); i++) {
            checkIndex(locationMapping.get(i), mappingCount(), "location_table", i, "mapping_index", "mapping_table");
            int first = locationFirstLine.get(i);
            for (int l = first; l < first + locationLineCount.get(i); l++) {
                checkIndex(lineFunction.get(l), functionCount(), "location_table", i, "lines.function_index", "function_table");
            }
        }
        attributeValue = new String[attributeKey.size()];
        for (int i = 0; i < attributeKey.size(); i++) {
            checkString(attributeKey.get(i), "attribute_table", i, "key_strindex");
            int valueIndex = attributeValueIndex.get(i);
            if (valueIndex >= 0) {
                checkString(valueIndex, "attribute_table", i, "value.string_value_strindex");
                attributeValue[i] = strings[valueIndex];
            } else {
                attributeValue[i] = attributeInlineValue.get(i);
            }
        }
        attributeInlineValue.clear();
        long saved = in.moveTo(0, 0);
        try {
            for (int s = 0; s < stackCount(); s++) {
                in.moveTo(stackStart.get(s), stackEnd.get(s));
                forEachLocation(in, s, null);
            }
        } finally {
            in.restore(saved);
        }
    }

    /**
     * Calls {@code sink} (when not null) with each location index of stack {@code s}, leaf first, checking each
     * against the table; the cursor must be positioned on the stack's region.
     */
    void forEachLocation(ProtoCursor in, int s, LocationSink sink) {
        int count = 0;
        while (in.more()) {
            int t = in.tag();
            if (ProtoCursor.field(t) != STACK_LOCATION_INDICES) {
                in.skip(t);
                continue;
            }
            if (ProtoCursor.wireType(t) == ProtoCursor.LENGTH_DELIMITED) {
                int outer = in.enter(t);
                while (in.more()) {
                    count = location(in, s, (int) in.varint(), count, sink);
                }
                in.exit(outer);
            } else {
                count = location(in, s, in.int32(t), count, sink);
            }
        }
    }

    private int location(ProtoCursor in, int stack, int location, int count, LocationSink sink) {
        if (location < 0 || location >= locationCount()) {
            if (!(location == 0 && locationCount() == 0)) {
                throw in.error("stack_table[" + stack + "] refers to location_table[" + location + "], which has "
                        + locationCount() + " entries");
            }
        }
        if (count >= limits.maxStackDepth()) {
            throw in.error("stack_table[" + stack + "] is deeper than maxStackDepth " + limits.maxStackDepth() + " locations");
        }
        if (sink != null) {
            sink.accept(location);
        }
        return count + 1;
    }

    @FunctionalInterface
    interface LocationSink {
        void accept(int location);
    }

    private void checkString(int index, String table, int entry, String field) {
        if (index < 0 || index >= strings.length) {
            throw error(table + "[" + entry + "]." + field + " is " + index + ", outside string_table ("
                    + strings.length + " entries)");
        }
    }

    private void checkIndex(int index, int size, String table, int entry, String field, String target) {
        // index 0 is the zero entry: valid even when a sender left the table out
        if (index != 0 && (index < 0 || index >= size)) {
            throw error(table + "[" + entry + "]." + field + " is " + index + ", outside " + target + " (" + size + " entries)");
        }
    }

    private static ProfileFormatException error(String reason) {
        return new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, reason);
    }

    String string(int index) {
        return strings[index];
    }

    int stringCount() {
        return strings.length;
    }

    int mappingCount() {
        return mappingFile.size();
    }

    int locationCount() {
        return locationMapping.size();
    }

    int functionCount() {
        return functionName.size();
    }

    int stackCount() {
        return stackStart.size();
    }

    int attributeCount() {
        return attributeKey.size();
    }

    int linkCount() {
        return linkTraceId.size();
    }

    String attributeKey(int index) {
        return strings[attributeKey.get(index)];
    }

    /** The attribute's string value, or null when it is not a string. */
    String attributeValue(int index) {
        return attributeValue[index];
    }
}
