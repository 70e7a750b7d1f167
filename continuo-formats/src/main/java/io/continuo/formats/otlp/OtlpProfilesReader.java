package io.continuo.formats.otlp;

import static io.continuo.formats.otlp.OtlpFields.*;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Gzip;
import io.continuo.formats.ProfileFormatException;
import io.continuo.model.LabelLimits;
import io.continuo.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes an OTLP {@code ExportProfilesServiceRequest} (opentelemetry-proto v1.10/v1.11, package
 * {@code opentelemetry.proto.collector.profiles.v1development}; gzipped or not) into Continuo profiles, hand-reading
 * the protobuf wire format like the pprof decoder: no message objects per sample, every size, count and index
 * checked before use.
 *
 * <p>Mapping: each OTLP profile has one sample type ({@link OtlpProfileType}); a sample's value is the sum of its
 * values, or the number of its timestamps when it has no values; a location's lines are inlined functions, the
 * innermost first, and become frames of their own. Series labels come from resource, scope and profile attributes
 * ({@link OtlpLabels}); sample attributes are sample labels, {@code thread.name} as {@code thread}, and a
 * sample-level {@code service.name} moves the sample to a profile of that service (the eBPF profiler sends every
 * process of a host in one request). A sample's link becomes its {@code trace_id}/{@code span_id}.
 *
 * <p>The dictionary follows the profiles on the wire, so the request is read twice: first the dictionary, then the
 * profiles against it. Malformed input ends in {@link ProfileFormatException}; a profile that is well-formed but
 * cannot be stored (no sample type, a value overflow) is left out and reported in {@link OtlpBatch#rejections()}.
 */
public final class OtlpProfilesReader {
    public static final String FORMAT = "otlp";
    /** One builder per (profile, service): bound them, as each costs tens of kilobytes before its first sample. */
    static final int MAX_SERVICE_PROFILES = 1024;
    /** Real resources and scopes carry tens of attributes; they are copied per profile, so bound them. */
    static final int MAX_SERIES_ATTRIBUTES = 1024;
    /** Real samples carry a handful of attributes. */
    static final int MAX_SAMPLE_ATTRIBUTES = 128;
    private static final int MAX_REJECTION_MESSAGES = 8;

    private final byte[] data;
    private final DecodeLimits limits;
    private final OtlpLabels labelMapping;
    private final ProtoCursor in;
    private OtlpDictionary dictionary;
    private final List<OtlpProfile> profiles = new ArrayList<>();
    private final List<String> rejections = new ArrayList<>();
    private int rejected;
    private int serviceProfiles;
    private int samples;

    private OtlpProfilesReader(byte[] data, DecodeLimits limits, LabelLimits labelLimits) {
        this.data = data;
        this.limits = limits;
        this.labelMapping = new OtlpLabels(labelLimits);
        this.in = new ProtoCursor(FORMAT, data);
    }

    /** Decodes a request, gzipped or raw, under the given bounds. */
    public static OtlpBatch read(byte[] gzippedOrRaw, DecodeLimits limits, LabelLimits labelLimits) {
        byte[] raw = Gzip.maybeDecompress(gzippedOrRaw, limits, FORMAT);
        try {
            return new OtlpProfilesReader(raw, limits, labelLimits).decode();
        } catch (ArithmeticException e) {
            // a sum of equal samples past 64 bits (the builder merges exactly)
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "sample values overflow 64 bits", e);
        }
    }

    public static OtlpBatch read(byte[] gzippedOrRaw) {
        return read(gzippedOrRaw, DecodeLimits.DEFAULT, LabelLimits.DEFAULT);
    }

    private OtlpBatch decode() {
        dictionary = readDictionary();
        in.moveTo(0, data.length);
        while (in.more()) {
            int tag = in.tag();
            if (ProtoCursor.field(tag) == REQUEST_RESOURCE_PROFILES) {
                readResourceProfiles(tag);
            } else {
                in.skip(tag);
            }
        }
        return new OtlpBatch(profiles, rejected, rejections);
    }

    private OtlpDictionary readDictionary() {
        long region = -1;
        while (in.more()) {
            int tag = in.tag();
            if (ProtoCursor.field(tag) == REQUEST_DICTIONARY) {
                if (region != -1) {
                    throw in.error("more than one dictionary");
                }
                region = in.skipRegion(tag);
            } else {
                in.skip(tag);
            }
        }
        if (region == -1) {
            return OtlpDictionary.empty(limits);
        }
        in.moveTo((int) (region >>> 32), (int) region);
        return OtlpDictionary.read(in, limits);
    }

    /** The resource may follow its scopes on the wire: scopes are noted and read once the resource is known. */
    private void readResourceProfiles(int tag) {
        List<String> attributes = new ArrayList<>();
        GrowableInts scopes = new GrowableInts();
        int outer = in.enter(tag);
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case RESOURCE_PROFILES_RESOURCE -> {
                    int resource = in.enter(t);
                    while (in.more()) {
                        int rt = in.tag();
                        if (ProtoCursor.field(rt) == RESOURCE_ATTRIBUTES) {
                            readKeyValue(rt, attributes);
                        } else {
                            in.skip(rt);
                        }
                    }
                    in.exit(resource);
                }
                case RESOURCE_PROFILES_SCOPE_PROFILES -> addRegion(scopes, in.skipRegion(t));
                default -> in.skip(t);
            }
        }
        in.exit(outer);
        int resourceSize = attributes.size();
        for (int i = 0; i < scopes.size(); i += 2) {
            long saved = in.moveTo(scopes.get(i), scopes.get(i + 1));
            readScopeProfiles(attributes);
            in.restore(saved);
            attributes.subList(resourceSize, attributes.size()).clear();
        }
    }

    private void readScopeProfiles(List<String> attributes) {
        GrowableInts regions = new GrowableInts();
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case SCOPE_PROFILES_SCOPE -> {
                    int scope = in.enter(t);
                    while (in.more()) {
                        int st = in.tag();
                        if (ProtoCursor.field(st) == SCOPE_ATTRIBUTES) {
                            readKeyValue(st, attributes);
                        } else {
                            in.skip(st); // scope name and version describe the profiler, not the profiled service
                        }
                    }
                    in.exit(scope);
                }
                case SCOPE_PROFILES_PROFILES -> addRegion(regions, in.skipRegion(t));
                default -> in.skip(t);
            }
        }
        for (int i = 0; i < regions.size(); i += 2) {
            long saved = in.moveTo(regions.get(i), regions.get(i + 1));
            readProfile(attributes, regions.get(i), regions.get(i + 1));
            in.restore(saved);
        }
    }

    private static void addRegion(GrowableInts regions, long region) {
        regions.add((int) (region >>> 32));
        regions.add((int) region);
    }

    /** A resource or scope {@code KeyValue}: string values only, the key inline or from the dictionary. */
    private void readKeyValue(int tag, List<String> out) {
        String key = "";
        int keyIndex = 0;
        String value = null;
        int outer = in.enter(tag);
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case KEY_VALUE_KEY -> key = in.string(t);
                case KEY_VALUE_KEY_STRINDEX -> keyIndex = in.int32(t);
                case KEY_VALUE_VALUE -> {
                    int any = in.enter(t);
                    while (in.more()) {
                        int vt = in.tag();
                        switch (ProtoCursor.field(vt)) {
                            case ANY_VALUE_STRING_VALUE -> value = in.string(vt);
                            case ANY_VALUE_STRING_VALUE_STRINDEX -> value = dictionaryString(in.int32(vt), "attribute value");
                            default -> in.skip(vt);
                        }
                    }
                    in.exit(any);
                }
                default -> in.skip(t);
            }
        }
        in.exit(outer);
        if (key.isEmpty() && keyIndex != 0) {
            key = dictionaryString(keyIndex, "attribute key");
        }
        if (!key.isEmpty() && value != null) {
            if (out.size() >= 2 * MAX_SERIES_ATTRIBUTES) {
                throw in.error("more than " + MAX_SERIES_ATTRIBUTES + " resource and scope attributes");
            }
            out.add(key);
            out.add(value);
        }
    }

    private String dictionaryString(int index, String what) {
        if (index < 0 || index >= dictionary.stringCount()) {
            throw in.error(what + " string index " + index + " is outside string_table (" + dictionary.stringCount() + " entries)");
        }
        return dictionary.string(index);
    }

    // ---- one profile ----

    private void readProfile(List<String> scopeAttributes, int start, int end) {
        ProfileHeader h = readHeader();
        OtlpProfileType type;
        try {
            type = OtlpProfileType.resolve(h.string(h.typeName), h.string(h.typeUnit), h.string(h.periodTypeName),
                    h.string(h.periodUnit), h.period);
        } catch (OtlpProfileType.Unsupported e) {
            reject(e.getMessage());
            return;
        }
        List<String> attributes = new ArrayList<>(scopeAttributes);
        for (int i = 0; i < h.attributeCount; i++) {
            String value = dictionary.attributeValue(h.attributes[i]);
            if (value != null) {
                attributes.add(dictionary.attributeKey(h.attributes[i]));
                attributes.add(value);
            }
        }
        Labels series = labelMapping.series(attributes);
        in.moveTo(start, end);
        SampleReader samples = new SampleReader(type, series, h.sampleCount);
        try {
            while (in.more()) {
                int tag = in.tag();
                if (ProtoCursor.field(tag) == PROFILE_SAMPLES) {
                    samples.read(tag);
                } else {
                    in.skip(tag);
                }
            }
        } catch (OtlpProfileType.Unsupported e) {
            reject(e.getMessage());
            return;
        }
        samples.finish(h.timeNanos, h.durationNanos);
    }

    private void reject(String reason) {
        rejected++;
        if (rejections.size() < MAX_REJECTION_MESSAGES && !rejections.contains(reason)) {
            rejections.add(reason);
        }
    }

    /** Everything of a profile but its samples, which are counted; the cursor is on the profile's region. */
    private ProfileHeader readHeader() {
        ProfileHeader h = new ProfileHeader();
        while (in.more()) {
            int tag = in.tag();
            switch (ProtoCursor.field(tag)) {
                case PROFILE_SAMPLE_TYPE -> {
                    long type = readValueType(tag);
                    h.typeName = (int) (type >>> 32);
                    h.typeUnit = (int) type;
                }
                case PROFILE_PERIOD_TYPE -> {
                    long type = readValueType(tag);
                    h.periodTypeName = (int) (type >>> 32);
                    h.periodUnit = (int) type;
                }
                case PROFILE_PERIOD -> h.period = in.varint(tag);
                case PROFILE_TIME_UNIX_NANO -> h.timeNanos = in.fixed64(tag);
                case PROFILE_DURATION_NANO -> h.durationNanos = in.varint(tag);
                case PROFILE_SAMPLES -> {
                    in.skip(tag);
                    h.sampleCount++;
                    if (++samples > limits.maxSamples()) {
                        throw in.error("more than maxSamples " + limits.maxSamples() + " samples");
                    }
                }
                case PROFILE_ATTRIBUTE_INDICES -> {
                    if (ProtoCursor.wireType(tag) == ProtoCursor.LENGTH_DELIMITED) {
                        int outer = in.enter(tag);
                        while (in.more()) {
                            h.addAttribute(checkedAttribute((int) in.varint()));
                        }
                        in.exit(outer);
                    } else {
                        h.addAttribute(checkedAttribute(in.int32(tag)));
                    }
                }
                default -> in.skip(tag);
            }
        }
        checkString(h.typeName, "sample_type.type_strindex");
        checkString(h.typeUnit, "sample_type.unit_strindex");
        checkString(h.periodTypeName, "period_type.type_strindex");
        checkString(h.periodUnit, "period_type.unit_strindex");
        return h;
    }

    private long readValueType(int tag) {
        int name = 0;
        int unit = 0;
        int outer = in.enter(tag);
        while (in.more()) {
            int t = in.tag();
            switch (ProtoCursor.field(t)) {
                case VALUE_TYPE_TYPE_STRINDEX -> name = in.int32(t);
                case VALUE_TYPE_UNIT_STRINDEX -> unit = in.int32(t);
                default -> in.skip(t);
            }
        }
        in.exit(outer);
        return ((long) name << 32) | (unit & 0xffffffffL);
    }

    private void checkString(int index, String field) {
        if (index < 0 || index >= dictionary.stringCount()) {
            throw in.error("profile " + field + " is " + index + ", outside string_table (" + dictionary.stringCount() + " entries)");
        }
    }

    private int checkedAttribute(int index) {
        if (index < 0 || index >= dictionary.attributeCount()) {
            throw in.error("attribute index " + index + " is outside attribute_table (" + dictionary.attributeCount() + " entries)");
        }
        return index;
    }

    private final class ProfileHeader {
        int typeName;
        int typeUnit;
        int periodTypeName;
        int periodUnit;
        long period;
        long timeNanos;
        long durationNanos;
        int sampleCount;
        int[] attributes = new int[4];
        int attributeCount;

        String string(int index) {
            return dictionary.string(index);
        }

        void addAttribute(int index) {
            if (attributeCount >= MAX_SAMPLE_ATTRIBUTES) {
                throw in.error("profile has more than " + MAX_SAMPLE_ATTRIBUTES + " attributes");
            }
            if (attributeCount == attributes.length) {
                attributes = Arrays.copyOf(attributes, attributeCount * 2);
            }
            attributes[attributeCount++] = index;
        }
    }

    /**
     * Decodes one profile's samples into a profile per service. Samples that share attributes and link share one
     * cached (service, labels) context, so steady-state decoding allocates nothing per sample.
     */
    private final class SampleReader {
        private final OtlpProfileType type;
        private final Labels series;
        private final int expectedSamples;
        private final Map<String, ServiceProfile> byService = new LinkedHashMap<>();
        private final Map<ContextKey, SampleContext> contexts = new HashMap<>();
        private final ContextKey probe = new ContextKey();
        private int[] attributes = new int[8];
        private long minTimestamp = Long.MAX_VALUE;
        private long maxTimestamp = Long.MIN_VALUE;

        SampleReader(OtlpProfileType type, Labels series, int expectedSamples) {
            this.type = type;
            this.series = series;
            this.expectedSamples = expectedSamples;
        }

        void read(int tag) {
            int stack = 0;
            int link = 0;
            int attributeCount = 0;
            long valueSum = 0;
            int valueCount = 0;
            long timestampCount = 0;
            int outer = in.enter(tag);
            while (in.more()) {
                int t = in.tag();
                switch (ProtoCursor.field(t)) {
                    case SAMPLE_STACK_INDEX -> stack = in.int32(t);
                    case SAMPLE_LINK_INDEX -> link = in.int32(t);
                    case SAMPLE_ATTRIBUTE_INDICES -> {
                        if (ProtoCursor.wireType(t) == ProtoCursor.LENGTH_DELIMITED) {
                            int packed = in.enter(t);
                            while (in.more()) {
                                attributeCount = addAttribute(attributeCount, (int) in.varint());
                            }
                            in.exit(packed);
                        } else {
                            attributeCount = addAttribute(attributeCount, in.int32(t));
                        }
                    }
                    case SAMPLE_VALUES -> {
                        if (ProtoCursor.wireType(t) == ProtoCursor.LENGTH_DELIMITED) {
                            int packed = in.enter(t);
                            while (in.more()) {
                                valueSum = add(valueSum, in.varint());
                                valueCount++;
                            }
                            in.exit(packed);
                        } else {
                            valueSum = add(valueSum, in.varint(t));
                            valueCount++;
                        }
                    }
                    case SAMPLE_TIMESTAMPS_UNIX_NANO -> {
                        if (ProtoCursor.wireType(t) == ProtoCursor.LENGTH_DELIMITED) {
                            int packed = in.enter(t);
                            while (in.more()) {
                                timestamp(in.fixed64());
                                timestampCount++;
                            }
                            in.exit(packed);
                        } else {
                            timestamp(in.fixed64(t));
                            timestampCount++;
                        }
                    }
                    default -> in.skip(t);
                }
            }
            in.exit(outer);
            if (stack < 0 || stack >= dictionary.stackCount() && !(stack == 0 && dictionary.stackCount() == 0)) {
                throw in.error("sample refers to stack_table[" + stack + "], which has " + dictionary.stackCount() + " entries");
            }
            if (link < 0 || link >= dictionary.linkCount() && link != 0) {
                throw in.error("sample refers to link_table[" + link + "], which has " + dictionary.linkCount() + " entries");
            }
            // the spec: a sample with timestamps but no values counts 1 per timestamp
            long value = valueCount > 0 ? valueSum : timestampCount;
            if (value == 0) {
                return;
            }
            SampleContext context = context(attributeCount, link);
            context.target.add(stack, scale(value), context.labels);
        }

        private int addAttribute(int count, int index) {
            if (count >= MAX_SAMPLE_ATTRIBUTES) {
                throw in.error("sample has more than " + MAX_SAMPLE_ATTRIBUTES + " attributes");
            }
            if (count == attributes.length) {
                attributes = Arrays.copyOf(attributes, count * 2);
            }
            attributes[count] = checkedAttribute(index);
            return count + 1;
        }

        private void timestamp(long nanos) {
            minTimestamp = Math.min(minTimestamp, nanos);
            maxTimestamp = Math.max(maxTimestamp, nanos);
        }

        private long add(long sum, long value) {
            try {
                return Math.addExact(sum, value);
            } catch (ArithmeticException e) {
                throw new OtlpProfileType.Unsupported("sample values overflow 64 bits");
            }
        }

        private long scale(long value) {
            try {
                return Math.multiplyExact(value, type.multiplier());
            } catch (ArithmeticException e) {
                throw new OtlpProfileType.Unsupported("sample value " + value + " times " + type.multiplier()
                        + " overflows 64 bits");
            }
        }

        private SampleContext context(int attributeCount, int link) {
            probe.set(attributes, attributeCount, link);
            SampleContext cached = contexts.get(probe);
            if (cached == null) {
                cached = newContext(attributeCount, link);
                contexts.put(probe.copy(), cached);
            }
            return cached;
        }

        private SampleContext newContext(int attributeCount, int link) {
            String service = null;
            Labels.Builder b = Labels.builder();
            int budget = Math.min(limits.maxLabelsPerSample(), labelMapping.maxLabels() - series.size());
            int used = 0;
            for (int i = 0; i < attributeCount; i++) {
                String key = dictionary.attributeKey(attributes[i]);
                String value = dictionary.attributeValue(attributes[i]);
                if (value == null || value.isEmpty()) {
                    continue;
                }
                if (key.equals(OtlpLabels.SERVICE_NAME)) {
                    service = value;
                    continue;
                }
                String name = labelMapping.labelName(key);
                if (name != null && used < budget && labelMapping.fits(name, value)) {
                    b.put(name, value);
                    used++;
                }
            }
            if (link > 0) {
                putId(b, Labels.TRACE_ID, dictionary.linkTraceId.get(link));
                putId(b, Labels.SPAN_ID, dictionary.linkSpanId.get(link));
            }
            return new SampleContext(target(service), b.build());
        }

        private void putId(Labels.Builder b, String name, String hex) {
            if (!hex.isEmpty() && !hex.chars().allMatch(c -> c == '0')) {
                b.put(name, hex);
            }
        }

        private ServiceProfile target(String service) {
            String key = service == null ? "" : service;
            ServiceProfile target = byService.get(key);
            if (target == null) {
                if (++serviceProfiles > MAX_SERVICE_PROFILES) {
                    throw in.error("more than " + MAX_SERVICE_PROFILES + " (profile, service) pairs in one request");
                }
                Labels labels = service == null ? series : series.with(Labels.SERVICE, service);
                // a host's request shares its samples among many services: presize only the profile's own service
                int presize = service == null ? expectedSamples : 0;
                target = new ServiceProfile(dictionary, in, labels, type, limits.maxStackDepth(), presize);
                byService.put(key, target);
            }
            return target;
        }

        /** The profile's window: its own time and duration, else the span of its sample timestamps. */
        void finish(long timeNanos, long durationNanos) {
            long start = timeNanos;
            long duration = durationNanos;
            if (start == 0 && minTimestamp <= maxTimestamp) {
                start = minTimestamp;
                duration = maxTimestamp - minTimestamp;
            }
            for (ServiceProfile target : byService.values()) {
                target.builder.window(start, duration);
                io.continuo.model.Profile built = target.builder.build();
                try {
                    // the value check every format gets; OTLP answers a failing profile in partial_success
                    io.continuo.formats.SampleValues.check(FORMAT, List.of(built));
                } catch (ProfileFormatException e) {
                    reject("service '" + io.continuo.model.Strings.abbreviate(target.labels.get("service"), 60) + "': "
                            + e.getMessage());
                    continue;
                }
                profiles.add(new OtlpProfile(target.labels, built));
            }
        }
    }

    private record SampleContext(ServiceProfile target, Labels labels) {
    }

    /** A sample's attribute indexes and link: a hash key that a probe instance can look up without copying. */
    private static final class ContextKey {
        private int[] attributes;
        private int count;
        private int link;
        private int hash;

        void set(int[] attributes, int count, int link) {
            this.attributes = attributes;
            this.count = count;
            this.link = link;
            int h = link;
            for (int i = 0; i < count; i++) {
                h = 31 * h + attributes[i];
            }
            this.hash = h;
        }

        ContextKey copy() {
            ContextKey k = new ContextKey();
            k.set(Arrays.copyOf(attributes, count), count, link);
            return k;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ContextKey k && k.count == count && k.link == link
                    && Arrays.equals(attributes, 0, count, k.attributes, 0, count);
        }
    }
}
