package io.continuo.formats.jfr;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Gzip;
import io.continuo.formats.NoSamplesException;
import io.continuo.formats.ProfileFormatException;
import io.continuo.model.Frame;
import io.continuo.model.Labels;
import io.continuo.model.LongIntMap;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.model.StackTable;
import io.continuo.model.ValidationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import io.continuo.formats.jfr.stream.JfrChunkParser;
import io.continuo.formats.jfr.stream.JfrObject;
import io.continuo.formats.jfr.stream.JfrType;

/**
 * Converts a JFR recording (JDK Flight Recorder, async-profiler or the Pyroscope Java agent) into profiles, one per
 * event family that occurs in it:
 * <ul>
 *   <li>{@code cpu}: {@code jdk.ExecutionSample}; each sample is worth the recording's sampling period, read from
 *       its {@code jdk.ActiveSetting} for {@code jdk.ExecutionSample#period} (the last one stated wins; 10 ms, the
 *       JDK {@code profile} settings' and async-profiler's default, when the recording states none).</li>
 *   <li>{@code wall}: only when the recording has {@code jdk.NativeMethodSample} events: execution samples plus
 *       native-method samples, each worth its own period (native default 20 ms). JFR does not sample parked or
 *       blocked threads, so this is "running Java or native code" time, not full wall-clock time.</li>
 *   <li>{@code alloc_bytes} + {@code alloc_objects}: {@code jdk.ObjectAllocationSample} (bytes = {@code weight}),
 *       or, when a recording has none, {@code jdk.ObjectAllocationInNewTLAB} ({@code tlabSize}) and
 *       {@code jdk.ObjectAllocationOutsideTLAB} ({@code allocationSize}). {@code alloc_objects} counts sampled
 *       allocation events (1 each), not objects allocated: JFR's samples carry no object count. The allocated class
 *       is the leaf frame ({@code byte[]}, {@code java.lang.String}).</li>
 *   <li>{@code lock_count} + {@code lock_duration}: {@code jdk.JavaMonitorEnter}, and {@code jdk.ThreadPark} when
 *       the thread parked on a lock (see {@link ParkBlockers}; idle workers waiting for work are not contention)
 *       (duration in ns). {@code jdk.JavaMonitorWait} ({@code Object.wait}) is deliberate waiting and is left out.</li>
 *   <li>{@code exceptions}: {@code jdk.JavaExceptionThrow} and {@code jdk.JavaErrorThrow}, thrown class as leaf.</li>
 * </ul>
 * Frames are {@code package.Class.method} (inner classes keep {@code $}), file empty (JFR does not record it), line
 * numbers kept. Each sample carries a {@code thread} label. A truncated stack gets a {@value #TRUNCATED} root frame.
 * Events with a {@code contextId} field (async-profiler / Pyroscope) get the labels that the optional
 * {@code contextLabels} hook returns for it (e.g. {@link io.continuo.formats.pyroscope.LabelsSnapshot#asFunction()}),
 * or, without a hook, a {@code context_id} label with the number.
 *
 * <p><b>Security:</b> only the event types above are read. Everything else in a recording, notably
 * {@code jdk.InitialEnvironmentVariable}, {@code jdk.InitialSystemProperty}, {@code jdk.JVMInformation},
 * {@code jdk.SystemProcess} and {@code jdk.OSInformation}, is skipped without reading its fields, so secrets in the
 * profiled process's environment never reach storage.
 *
 * <p>Parsing streams over the upload's bytes with {@link JfrChunkParser} (no temporary file): metadata and constant
 * pools per chunk, then only the events above, every other event skipped by its size. Malformed input fails with
 * an offset. The former parser, the JDK's {@code RecordingFile} on a temporary file, is kept in the tests as the
 * reference they compare to.
 */
public final class JfrReader {
    public static final String FORMAT = "jfr";
    public static final String TRUNCATED = "[truncated]";
    public static final String CONTEXT_ID_LABEL = "context_id";

    static final long DEFAULT_EXECUTION_PERIOD_NANOS = 10_000_000L;
    static final long DEFAULT_NATIVE_PERIOD_NANOS = 20_000_000L;

    // chunk header: magic "FLR\0", u2 major, u2 minor, u8 chunk size, ... 68 bytes in all (JDK 11+ format 2.x)
    private static final int CHUNK_MAGIC = 0x464c5200;
    private static final int CHUNK_HEADER_SIZE = 68;
    private static final int CHUNK_SIZE_OFFSET = 8;

    private static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
    private static final String WALL_CLOCK_SAMPLE = "profiler.WallClockSample";
    private static final String LIVE_OBJECT = "profiler.LiveObject";
    private static final String NATIVE_METHOD_SAMPLE = "jdk.NativeMethodSample";
    private static final String ALLOCATION_SAMPLE = "jdk.ObjectAllocationSample";
    private static final String ALLOCATION_IN_NEW_TLAB = "jdk.ObjectAllocationInNewTLAB";
    private static final String ALLOCATION_OUTSIDE_TLAB = "jdk.ObjectAllocationOutsideTLAB";
    private static final String MONITOR_ENTER = "jdk.JavaMonitorEnter";
    private static final String THREAD_PARK = "jdk.ThreadPark";
    private static final String EXCEPTION_THROW = "jdk.JavaExceptionThrow";
    private static final String ERROR_THROW = "jdk.JavaErrorThrow";
    private static final String ACTIVE_SETTING = "jdk.ActiveSetting";
    private static final String PERIOD_SETTING = "period";
    private static final String SAMPLED_THREAD = "sampledThread";
    private static final String EVENT_THREAD = "eventThread";
    private static final String STACK_TRACE = "stackTrace";
    private static final String CONTEXT_ID = "contextId";
    // async-profiler states its options as jdk.ActiveSetting events: interval (ns, of the cpu/itimer/ctimer/wall
    // sampler), wall (ns, when wall-clock sampling runs beside another event) and event (which sampler ran)
    private static final String AP_INTERVAL = "interval";
    private static final String AP_WALL = "wall";
    private static final String AP_EVENT = "event";
    private static final String STATE_FIELD = "state";
    private static final String SLEEPING = "STATE_SLEEPING";
    private static final String SAMPLES_FIELD = "samples";
    /** async-profiler's default wall-clock interval when a recording does not state one. */
    static final long DEFAULT_WALL_PERIOD_NANOS = 50_000_000L;
    private static final int MAX_TYPES_NAMED = 12;

    // the period a counted sample is worth: which setting prices it (see build())
    private static final int SOURCE_EXECUTION = 0;
    private static final int SOURCE_NATIVE = 1;
    private static final int SOURCE_WALL_CLOCK = 2;
    private static final int SOURCE_BITS = 2;

    private enum Kind { IGNORED, SETTING, EXECUTION, NATIVE, WALL_CLOCK, ALLOC_SAMPLE, ALLOC_NEW_TLAB, ALLOC_OUTSIDE_TLAB, LIVE, LOCK, PARK, EXCEPTION }

    private final DecodeLimits limits;
    private final LongFunction<Labels> contextLabels;

    private final Map<JfrType, Kind> kinds = new IdentityHashMap<>();
    private final Map<JfrType, Boolean> hasContext = new IdentityHashMap<>();
    private final Map<JfrObject, String> methodNames = new IdentityHashMap<>();
    private final Map<JfrObject, String> threadNames = new IdentityHashMap<>();
    // a stack trace constant's frames, resolved once for every family that counts it
    private final Map<JfrObject, Frame[]> traceFrames = new IdentityHashMap<>();
    private final Map<LabelKey, Labels> labelCache = new HashMap<>();
    private final Map<Long, String> periodByTypeId = new HashMap<>();
    private final Map<String, String> profilerSettings = new HashMap<>();
    private final Map<String, int[]> seenTypes = new HashMap<>();
    private final Map<JfrType, Boolean> hasState = new IdentityHashMap<>();
    private long executionTypeId = -1;
    private long nativeTypeId = -1;
    private int events;
    private long minStart = Long.MAX_VALUE;
    private long maxStart = Long.MIN_VALUE;

    private final Family cpu;
    private final Family wall;
    private final Family allocSampled;
    private final Family allocTlab;
    private final Family lock;
    private final Family exceptions;
    private final Family live;

    private JfrReader(DecodeLimits limits, LongFunction<Labels> contextLabels) {
        this.limits = limits;
        this.contextLabels = contextLabels;
        cpu = new Family(List.of(ProfileType.CPU));
        wall = new Family(List.of(ProfileType.WALL));
        allocSampled = new Family(List.of(ProfileType.ALLOC_BYTES, ProfileType.ALLOC_OBJECTS));
        allocTlab = new Family(List.of(ProfileType.ALLOC_BYTES, ProfileType.ALLOC_OBJECTS));
        lock = new Family(List.of(ProfileType.LOCK_COUNT, ProfileType.LOCK_DURATION));
        exceptions = new Family(List.of(ProfileType.EXCEPTIONS));
        live = new Family(List.of(ProfileType.INUSE_BYTES, ProfileType.INUSE_OBJECTS));
    }

    public static List<Profile> read(byte[] recording, DecodeLimits limits) {
        return read(recording, limits, null);
    }

    /**
     * Converts a recording (gzipped or not) into one profile per event family present (see class doc).
     *
     * @param contextLabels maps an event's {@code contextId} to labels; null to expose it as a {@code context_id} label
     */
    public static List<Profile> read(byte[] recording, DecodeLimits limits, LongFunction<Labels> contextLabels) {
        byte[] data = Gzip.maybeDecompress(recording, limits, FORMAT);
        checkChunks(data);
        return new JfrReader(limits, contextLabels).parse(ByteBuffer.wrap(data));
    }

    /** Converts a recording file in place (not gzipped). */
    public static List<Profile> read(Path recording, DecodeLimits limits, LongFunction<Labels> contextLabels) {
        try {
            long size = Files.size(recording);
            if (size > limits.maxDecompressedBytes()) {
                throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "recording of " + size
                        + " bytes exceeds maxDecompressedBytes " + limits.maxDecompressedBytes());
            }
            byte[] data = Files.readAllBytes(recording);
            checkChunks(data);
            return new JfrReader(limits, contextLabels).parse(ByteBuffer.wrap(data));
        } catch (IOException e) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "unreadable recording: " + e.getMessage(), e);
        }
    }

    /** Walks the chunk headers: each must have the magic and a size that fits in the input. */
    static void checkChunks(byte[] data) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        if (data.length < CHUNK_HEADER_SIZE) {
            throw new ProfileFormatException(FORMAT, 0, "input of " + data.length + " bytes is shorter than a chunk header");
        }
        long pos = 0;
        while (pos < data.length) {
            if (data.length - pos < CHUNK_HEADER_SIZE) {
                throw new ProfileFormatException(FORMAT, pos, "truncated chunk header");
            }
            if (buf.getInt((int) pos) != CHUNK_MAGIC) {
                throw new ProfileFormatException(FORMAT, pos, pos == 0 ? "not a JFR recording (bad magic)" : "bad chunk magic");
            }
            long size = buf.getLong((int) pos + CHUNK_SIZE_OFFSET);
            if (size < CHUNK_HEADER_SIZE || size > data.length - pos) {
                throw new ProfileFormatException(FORMAT, pos + CHUNK_SIZE_OFFSET, "chunk size " + size
                        + " does not fit the " + (data.length - pos) + " bytes left (truncated recording?)");
            }
            pos += size;
        }
    }

    private List<Profile> parse(ByteBuffer data) {
        try {
            JfrChunkParser.parse(data, name -> kindOf(name) != Kind.IGNORED, new JfrChunkParser.Handler() {
                @Override
                public void event(JfrObject event, long startNanos, long durationNanos) {
                    accept(event, startNanos, durationNanos);
                }

                @Override
                public void skipped(JfrType type) {
                    seenTypes.computeIfAbsent(type.name(), t -> new int[1])[0]++;
                }
            });
            return build();
        } catch (ProfileFormatException | ValidationException e) {
            throw e;
        } catch (ArithmeticException e) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "sample values overflow 64 bits", e);
        } catch (RuntimeException e) {
            // the parser checks what it reads; this guards the mapping against a shape it did not expect
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "corrupt recording: " + e, e);
        }
    }

    private void accept(JfrObject event, long startNanos, long durationNanos) {
        JfrType type = event.type();
        seenTypes.computeIfAbsent(type.name(), t -> new int[1])[0]++;
        Kind kind = kinds.computeIfAbsent(type, t -> kindOf(t.name()));
        switch (kind) {
            case IGNORED -> {
                return;
            }
            case SETTING -> {
                String name = event.getString("name");
                if (PERIOD_SETTING.equals(name)) {
                    periodByTypeId.put(event.getLong("id"), event.getString("value"));
                } else if (AP_INTERVAL.equals(name) || AP_WALL.equals(name) || AP_EVENT.equals(name)) {
                    profilerSettings.put(name, event.getString("value"));
                }
                return;
            }
            case PARK -> {
                if (!ParkBlockers.isLock(rawClassName(event.object("parkedClass")))) {
                    return;
                }
            }
            default -> {
            }
        }
        if (++events > limits.maxSamples()) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET,
                    "more than maxSamples " + limits.maxSamples() + " profiling events");
        }
        long start = startNanos;
        minStart = Math.min(minStart, start);
        maxStart = Math.max(maxStart, start);
        Labels labels = labels(event, type, kind);
        JfrObject trace = event.object(STACK_TRACE);
        switch (kind) {
            case EXECUTION -> {
                executionTypeId = type.id();
                // async-profiler before 3.0 wrote wall-clock samples as execution samples of sleeping threads too
                if (!sleeping(event, type)) {
                    cpu.count(cpu.stack(trace, null), labels, SOURCE_EXECUTION, 1);
                }
                wall.count(wall.stack(trace, null), labels, SOURCE_EXECUTION, 1);
            }
            case NATIVE -> {
                nativeTypeId = type.id();
                wall.count(wall.stack(trace, null), labels, SOURCE_NATIVE, 1);
            }
            case WALL_CLOCK -> {
                // one event stands for `samples` consecutive samples of a thread in the same state and stack
                long samples = event.hasField(SAMPLES_FIELD) ? Math.max(0, event.getLong(SAMPLES_FIELD)) : 1;
                if (samples > 0) {
                    wall.count(wall.stack(trace, null), labels, SOURCE_WALL_CLOCK, samples);
                }
            }
            case LIVE -> alloc(live, event, trace, labels, "allocationSize");
            case ALLOC_SAMPLE -> alloc(allocSampled, event, trace, labels, "weight");
            case ALLOC_NEW_TLAB -> alloc(allocTlab, event, trace, labels, "tlabSize");
            case ALLOC_OUTSIDE_TLAB -> alloc(allocTlab, event, trace, labels, "allocationSize");
            case LOCK, PARK -> {
                int stack = lock.stack(trace, null);
                lock.builder.addValue(stack, 0, 1, labels);
                lock.builder.addValue(stack, 1, Math.max(0, durationNanos), labels);
                lock.used = true;
            }
            case EXCEPTION -> {
                int stack = exceptions.stack(trace, className(event.object("thrownClass")));
                exceptions.builder.addValue(stack, 0, 1, labels);
                exceptions.used = true;
            }
            default -> throw new IllegalStateException(kind.name());
        }
    }

    private void alloc(Family family, JfrObject event, JfrObject trace, Labels labels, String sizeField) {
        int stack = family.stack(trace, className(event.object("objectClass")));
        // the named size field, else whichever size the layout has (event types of other async-profiler versions)
        String field = event.hasField(sizeField) ? sizeField
                : event.hasField("allocationSize") ? "allocationSize" : event.hasField("weight") ? "weight" : null;
        family.builder.addValue(stack, 0, field == null ? 0 : Math.max(0, event.getLong(field)), labels);
        family.builder.addValue(stack, 1, 1, labels);
        family.used = true;
    }

    private static Kind kindOf(String typeName) {
        return switch (typeName) {
            case ACTIVE_SETTING -> Kind.SETTING;
            case EXECUTION_SAMPLE, "profiler.ExecutionSample" -> Kind.EXECUTION;
            case WALL_CLOCK_SAMPLE -> Kind.WALL_CLOCK;
            case LIVE_OBJECT -> Kind.LIVE;
            case NATIVE_METHOD_SAMPLE -> Kind.NATIVE;
            case ALLOCATION_SAMPLE -> Kind.ALLOC_SAMPLE;
            case ALLOCATION_IN_NEW_TLAB -> Kind.ALLOC_NEW_TLAB;
            case ALLOCATION_OUTSIDE_TLAB, "profiler.AllocSample", "profiler.ObjectAllocationSample" -> Kind.ALLOC_OUTSIDE_TLAB;
            // the profiler.* spellings: names async-profiler forks and converters use for the same layouts
            case MONITOR_ENTER, "profiler.JavaMonitorEnter" -> Kind.LOCK;
            case THREAD_PARK, "profiler.ThreadPark" -> Kind.PARK;
            case EXCEPTION_THROW, ERROR_THROW -> Kind.EXCEPTION;
            default -> Kind.IGNORED;
        };
    }

    /** An execution sample of a thread that was not running (async-profiler's thread state; the JDK's are runnable). */
    private boolean sleeping(JfrObject event, JfrType type) {
        if (!hasState.computeIfAbsent(type, t -> t.field(STATE_FIELD) >= 0)) {
            return false;
        }
        Object state = event.get(STATE_FIELD);
        if (state instanceof JfrObject o) {
            state = o.hasField("name") ? o.get("name") : null;
        }
        return SLEEPING.equals(state);
    }

    private Labels labels(JfrObject event, JfrType type, Kind kind) {
        JfrObject thread = event.object((kind == Kind.EXECUTION || kind == Kind.NATIVE || kind == Kind.WALL_CLOCK)
                && event.hasField(SAMPLED_THREAD) ? SAMPLED_THREAD : EVENT_THREAD);
        String threadName = thread == null ? "" : threadNames.computeIfAbsent(thread, JfrReader::threadName);
        long context = hasContext.computeIfAbsent(type, t -> t.field(CONTEXT_ID) >= 0) ? event.getLong(CONTEXT_ID) : 0;
        LabelKey key = new LabelKey(threadName, context);
        Labels cached = labelCache.get(key);
        if (cached != null) {
            return cached;
        }
        Labels.Builder b = Labels.builder();
        if (context != 0) {
            if (contextLabels != null) {
                Labels extra = contextLabels.apply(context);
                if (extra != null) {
                    b.putAll(extra);
                }
            } else {
                b.put(CONTEXT_ID_LABEL, Long.toString(context));
            }
        }
        b.put(Labels.THREAD, threadName);
        Labels labels = b.build();
        if (labels.size() > limits.maxLabelsPerSample()) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET,
                    "event has more than maxLabelsPerSample " + limits.maxLabelsPerSample() + " labels");
        }
        labelCache.put(key, labels);
        return labels;
    }

    private static String threadName(JfrObject thread) {
        String name = thread.getString("javaName");
        if (name == null || name.isEmpty()) {
            name = thread.getString("osName");
        }
        return name == null ? "" : name;
    }

    private record LabelKey(String thread, long context) {
    }

    private List<Profile> build() {
        long start = minStart == Long.MAX_VALUE ? 0 : minStart;
        long duration = minStart == Long.MAX_VALUE ? 0 : maxStart - minStart;
        long interval = profilerDuration(AP_INTERVAL);
        String sampler = profilerSettings.get(AP_EVENT);
        boolean timeSampler = sampler == null || TIME_SAMPLERS.contains(sampler);
        long executionPeriod = period(executionTypeId, timeSampler && interval > 0 ? interval : DEFAULT_EXECUTION_PERIOD_NANOS);
        long nativePeriod = period(nativeTypeId, DEFAULT_NATIVE_PERIOD_NANOS);
        long wallSetting = profilerDuration(AP_WALL);
        long wallPeriod = wallSetting > 0 ? wallSetting
                : AP_WALL.equals(sampler) && interval > 0 ? interval : DEFAULT_WALL_PERIOD_NANOS;
        List<Profile> out = new ArrayList<>();
        if (cpu.used) {
            cpu.flushCounts(new long[] {executionPeriod, nativePeriod, 0});
            out.add(cpu.builder.window(start, duration).period(executionPeriod).build());
        }
        if (wall.used && wall.anyCountIn(SOURCE_WALL_CLOCK)) {
            // async-profiler's own wall-clock events cover every thread: execution samples would count twice
            wall.flushCounts(new long[] {0, 0, wallPeriod});
            out.add(wall.builder.window(start, duration).period(wallPeriod).build());
        } else if (wall.used && (wall.anyCountIn(SOURCE_NATIVE) || AP_WALL.equals(sampler))) {
            // the JDK's wall view (running Java plus native methods), or async-profiler < 3 in wall mode
            long execAsWall = AP_WALL.equals(sampler) ? wallPeriod(interval) : executionPeriod;
            wall.flushCounts(new long[] {execAsWall, nativePeriod, 0});
            out.add(wall.builder.window(start, duration).period(Math.min(execAsWall, nativePeriod)).build());
        }
        Family alloc = allocSampled.used ? allocSampled : allocTlab;
        if (alloc.used) {
            out.add(alloc.builder.window(start, duration).build());
        }
        if (lock.used) {
            out.add(lock.builder.window(start, duration).build());
        }
        if (exceptions.used) {
            out.add(exceptions.builder.window(start, duration).build());
        }
        if (live.used) {
            out.add(live.builder.window(start, duration).build());
        }
        if (out.isEmpty()) {
            throw new NoSamplesException(FORMAT, "no profiling samples in the recording; event types present: " + seenTypes());
        }
        return out;
    }

    private static final java.util.Set<String> TIME_SAMPLERS = java.util.Set.of("cpu", "itimer", "ctimer", "wall");

    private static long wallPeriod(long interval) {
        return interval > 0 ? interval : DEFAULT_WALL_PERIOD_NANOS;
    }

    private long profilerDuration(String name) {
        String value = profilerSettings.get(name);
        return value == null ? -1 : parseDuration(value);
    }

    /** The event types read, most frequent first, for the message of a recording with nothing to store. */
    private String seenTypes() {
        if (seenTypes.isEmpty()) {
            return "none";
        }
        List<Map.Entry<String, int[]>> types = new ArrayList<>(seenTypes.entrySet());
        // most frequent first, ties by name so the message does not depend on map order
        types.sort((a, b) -> a.getValue()[0] != b.getValue()[0] ? Integer.compare(b.getValue()[0], a.getValue()[0])
                : a.getKey().compareTo(b.getKey()));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < types.size() && i < MAX_TYPES_NAMED; i++) {
            sb.append(i == 0 ? "" : ", ").append(types.get(i).getKey()).append(" (")
                    .append(types.get(i).getValue()[0]).append(')');
        }
        if (types.size() > MAX_TYPES_NAMED) {
            sb.append(", and ").append(types.size() - MAX_TYPES_NAMED).append(" more");
        }
        return sb.toString();
    }

    private long period(long typeId, long fallback) {
        String value = periodByTypeId.get(typeId);
        long parsed = value == null ? -1 : parseDuration(value);
        return parsed > 0 ? parsed : fallback;
    }

    /** JFR setting values like {@code 10 ms}, {@code 20ms}, {@code 1 s}; -1 when not a duration. */
    static long parseDuration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 18) {
            return -1;
        }
        long n = Long.parseLong(v.substring(0, i));
        long unit = switch (v.substring(i).trim()) {
            case "ns", "" -> 1;
            case "us" -> 1_000;
            case "ms" -> 1_000_000;
            case "s" -> 1_000_000_000;
            case "m", "min" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> -1;
        };
        return unit < 0 || n > Long.MAX_VALUE / unit ? -1 : n * unit;
    }

    /** JFR names array classes by descriptor ({@code [B}, {@code [Ljava.lang.String;}); we use Java syntax. */
    static String className(JfrObject type) {
        if (type == null) {
            return "[unknown class]";
        }
        return javaName(rawClassName(type));
    }

    /** A {@code java.lang.Class} constant's name with dots for slashes, as {@code RecordedClass.getName()} gives it. */
    private static String rawClassName(JfrObject type) {
        String name = type == null ? null : type.getString("name");
        return name == null ? null : name.replace('/', '.');
    }

    static String javaName(String name) {
        if (name == null || name.isEmpty()) {
            return "[unknown class]";
        }
        name = name.replace('/', '.');
        if (name.charAt(0) != '[') {
            return HiddenClasses.stableName(name);
        }
        int dims = 0;
        while (dims < name.length() && name.charAt(dims) == '[') {
            dims++;
        }
        String element;
        if (dims >= name.length()) {
            return name;
        }
        element = switch (name.charAt(dims)) {
            case 'B' -> "byte";
            case 'C' -> "char";
            case 'D' -> "double";
            case 'F' -> "float";
            case 'I' -> "int";
            case 'J' -> "long";
            case 'S' -> "short";
            case 'Z' -> "boolean";
            case 'L' -> HiddenClasses.stableName(name.endsWith(";") ? name.substring(dims + 1, name.length() - 1) : name.substring(dims + 1));
            default -> name.substring(dims);
        };
        return element + "[]".repeat(dims);
    }

    private String methodName(JfrObject method) {
        String name = methodNames.get(method);
        if (name == null) {
            JfrObject type = method.object("type");
            name = functionName(rawClassName(type), method.getString("name"));
            methodNames.put(method, name);
        }
        return name;
    }

    /**
     * {@code package.Class.method}; a frame without a class (a JIT or VM stub such as {@code libmLog}, a native
     * symbol in async-profiler's recordings) keeps its own name instead of {@code [unknown class].libmLog}. The agent
     * applies the same rule (testdata/agent-rules.tsv pins both).
     */
    static String functionName(String className, String methodName) {
        String m = methodName == null || methodName.isEmpty() ? "[unknown]" : methodName;
        if (className == null || className.isEmpty()) {
            return m;
        }
        return javaName(className) + "." + m;
    }

    /** The frames of a stack trace constant, leaf first, as {@code package.Class.method} and line. */
    private Frame[] resolveFrames(JfrObject trace) {
        Object[] list = trace.array("frames");
        if (list == null) {
            return new Frame[0];
        }
        Frame[] out = new Frame[list.length];
        JfrType frameType = null;
        int methodField = -1;
        int lineField = -1;
        for (int i = 0; i < list.length; i++) {
            JfrObject f = list[i] instanceof JfrObject o ? o : null;
            if (f != null && f.type() != frameType) {
                frameType = f.type();
                methodField = frameType.field("method");
                lineField = frameType.field("lineNumber");
            }
            JfrObject method = f != null && f.value(methodField) instanceof JfrObject m ? m : null;
            String name = method == null ? "[unknown]" : methodName(method);
            Object line = f == null ? null : f.value(lineField);
            out[i] = new Frame(name, "", Math.max(0, line instanceof Long l ? (int) (long) l : -1));
        }
        return out;
    }

    /** One output profile under construction, with caches keyed by the parser's constant-pool objects. */
    private final class Family {
        final ProfileBuilder builder;
        final Map<JfrObject, Integer> stacks = new IdentityHashMap<>();
        final Map<Frame, Integer> frames = new HashMap<>();
        final Map<String, Integer> leafFrames = new HashMap<>();
        // period-weighted samples: (stack, label set, source) -> count, turned into values once the period is known
        final LongIntMap countIndex = new LongIntMap(256);
        final Map<Labels, Integer> labelIds = new HashMap<>();
        final List<Labels> labelList = new ArrayList<>();
        long[] counts = new long[256];
        long[] keys = new long[256];
        int[] sources = new int[256];
        int countSize;
        boolean used;

        Family(List<ProfileType> types) {
            builder = new ProfileBuilder(types, limits.maxStackDepth());
        }

        int stack(JfrObject trace, String leaf) {
            int base = StackTable.ROOT;
            if (trace != null) {
                Integer cached = stacks.get(trace);
                if (cached == null) {
                    cached = buildStack(trace);
                    stacks.put(trace, cached);
                }
                base = cached;
            }
            if (leaf == null) {
                return base;
            }
            Integer frame = leafFrames.get(leaf);
            if (frame == null) {
                frame = builder.frame(Frame.of(leaf));
                leafFrames.put(leaf, frame);
            }
            try {
                return builder.childStack(base, frame);
            } catch (ValidationException e) {
                throw tooDeep();
            }
        }

        private int buildStack(JfrObject trace) {
            Frame[] list = traceFrames.computeIfAbsent(trace, JfrReader.this::resolveFrames);
            boolean truncated = Boolean.TRUE.equals(trace.get("truncated"));
            int depth = list.length + (truncated ? 1 : 0);
            if (depth > limits.maxStackDepth()) {
                throw tooDeep();
            }
            int stack = StackTable.ROOT;
            if (truncated) {
                stack = builder.childStack(stack, builder.frame(Frame.of(TRUNCATED)));
            }
            for (int i = list.length - 1; i >= 0; i--) {
                Frame frame = list[i];
                Integer id = frames.get(frame);
                if (id == null) {
                    id = builder.frame(frame);
                    frames.put(frame, id);
                }
                stack = builder.childStack(stack, id);
            }
            return stack;
        }

        private ProfileFormatException tooDeep() {
            return new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET,
                    "stack deeper than maxStackDepth " + limits.maxStackDepth() + " frames");
        }

        /** Counts {@code n} period-weighted samples; {@code source} selects the period (see SOURCE_*). */
        void count(int stack, Labels labels, int source, long n) {
            used = true;
            Integer labelId = labelIds.get(labels);
            if (labelId == null) {
                labelId = labelList.size();
                labelList.add(labels);
                labelIds.put(labels, labelId);
            }
            long key = ((long) stack << 32) | ((long) labelId << SOURCE_BITS) | source;
            int slot = countIndex.get(key);
            if (slot == LongIntMap.MISSING) {
                if (countSize == counts.length) {
                    counts = java.util.Arrays.copyOf(counts, countSize * 2);
                    keys = java.util.Arrays.copyOf(keys, countSize * 2);
                    sources = java.util.Arrays.copyOf(sources, countSize * 2);
                }
                slot = countSize++;
                keys[slot] = key;
                sources[slot] = source;
                countIndex.put(key, slot);
            }
            counts[slot] += n;
        }

        boolean anyCountIn(int source) {
            for (int i = 0; i < countSize; i++) {
                if (sources[i] == source) {
                    return true;
                }
            }
            return false;
        }

        void flushCounts(long[] periods) {
            for (int i = 0; i < countSize; i++) {
                int stack = (int) (keys[i] >>> 32);
                int labelId = (int) ((keys[i] & 0xffffffffL) >>> SOURCE_BITS);
                long period = periods[sources[i]];
                if (period > 0) {
                    builder.addValue(stack, 0, Math.multiplyExact(counts[i], period), labelList.get(labelId));
                }
            }
        }
    }
}
