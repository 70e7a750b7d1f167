package io.continuo.server.it;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordingFile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * What a Pyroscope Java agent upload holds, per profile type, read straight from the JDK's JFR parser with the
 * rules of async-profiler's converter and Pyroscope's server (not with our reader): execution samples of running
 * threads and wall-clock samples times the {@code interval} setting, TLAB sizes, lock durations, event counts.
 */
final class JfrReference {
    private JfrReference() {
    }

    /** The multipart body's {@code jfr} part, gunzipped. */
    static byte[] jfrPart(String contentType, byte[] body) {
        String boundary = "--" + contentType.substring(contentType.indexOf("boundary=") + "boundary=".length()).replace("\"", "");
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int name = text.indexOf("name=\"jfr\"");
        if (name < 0) {
            throw new AssertionError("no jfr part in " + contentType);
        }
        int start = text.indexOf("\r\n\r\n", name) + 4;
        int end = text.indexOf("\r\n" + boundary, start);
        byte[] part = java.util.Arrays.copyOfRange(body, start, end);
        if (part.length > 2 && (part[0] & 0xff) == 0x1f && (part[1] & 0xff) == 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(part))) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return part;
    }

    static Map<String, Long> totals(byte[] jfr, Path tmp) throws IOException {
        Path file = Files.createTempFile(tmp, "upload-", ".jfr");
        Files.write(file, jfr);
        long interval = 10_000_000L;
        long executions = 0;
        long wallSamples = 0;
        Map<String, Long> out = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            switch (e.getEventType().getName()) {
                case "jdk.ActiveSetting" -> {
                    if ("interval".equals(e.getString("name"))) {
                        interval = Long.parseLong(e.getString("value"));
                    }
                }
                case "jdk.ExecutionSample" -> {
                    Object state = e.hasField("state") ? e.getValue("state") : null;
                    if (state instanceof RecordedObject o) {
                        state = o.getValue("name");
                    }
                    if (!"STATE_SLEEPING".equals(state)) {
                        executions++;
                    }
                }
                case "profiler.WallClockSample" -> wallSamples += e.getLong("samples");
                case "jdk.ObjectAllocationInNewTLAB" -> {
                    out.merge("alloc_bytes", e.getLong("tlabSize"), Long::sum);
                    out.merge("alloc_objects", 1L, Long::sum);
                }
                case "jdk.ObjectAllocationOutsideTLAB" -> {
                    out.merge("alloc_bytes", e.getLong("allocationSize"), Long::sum);
                    out.merge("alloc_objects", 1L, Long::sum);
                }
                case "jdk.JavaMonitorEnter" -> {
                    out.merge("lock_duration", e.getDuration().toNanos(), Long::sum);
                    out.merge("lock_count", 1L, Long::sum);
                }
                default -> {
                }
            }
        }
        if (executions > 0) {
            out.put("cpu", executions * interval);
        }
        if (wallSamples > 0) {
            out.put("wall", wallSamples * interval);
        }
        return out;
    }
}
