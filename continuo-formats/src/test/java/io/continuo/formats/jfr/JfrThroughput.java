package io.continuo.formats.jfr;

import io.continuo.formats.DecodeLimits;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A hand-run throughput figure (no JMH): decodes one recording in a loop on one thread and prints MB per second of
 * that thread's CPU time, i.e. per core, for the streaming parser and for the JDK's RecordingFile (temp file).
 * Run from the repository root after {@code mvn -pl continuo-formats -am test-compile}:
 * {@code java -cp continuo-formats/target/test-classes:continuo-formats/target/classes:continuo-model/target/classes
 * io.continuo.formats.jfr.JfrThroughput testdata/jdk17-profile.jfr 20}
 */
public final class JfrThroughput {
    private JfrThroughput() {
    }

    public static void main(String[] args) throws Exception {
        byte[] data = Files.readAllBytes(Path.of(args.length > 0 ? args[0] : "testdata/jdk17-profile.jfr"));
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        System.out.printf("%s, %d bytes%n", args.length > 0 ? args[0] : "testdata/jdk17-profile.jfr", data.length);
        String[] parsers = args.length > 2 ? args[2].split(",") : new String[] {"stream", "recordingfile", "stream", "recordingfile"};
        for (String parser : parsers) {
            System.out.printf("%-14s %.1f MB/s per core%n", parser, run(data, parser, seconds / 4));
        }
    }

    private static void once(byte[] data, String parser) {
        if (parser.equals("parse-only")) {
            // the chunk parser alone: metadata, constant pools, every event skipped by size
            io.continuo.formats.jfr.stream.JfrChunkParser.parse(java.nio.ByteBuffer.wrap(data), name -> false, (e, s, d) -> { });
        } else if (parser.equals("recordingfile")) {
            RecordingFileJfrReader.read(data, DecodeLimits.DEFAULT, null);
        } else {
            JfrReader.read(data, DecodeLimits.DEFAULT);
        }
    }

    private static double run(byte[] data, String parser, double seconds) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        // warm-up of a quarter of the time, then count CPU time of this thread only (the machine is shared)
        long warmEnd = System.nanoTime() + (long) (seconds * 0.25e9);
        while (System.nanoTime() < warmEnd) {
            once(data, parser);
        }
        long cpu0 = mx.getCurrentThreadCpuTime();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long bytes = 0;
        while (System.nanoTime() < end) {
            once(data, parser);
            bytes += data.length;
        }
        double cpuSeconds = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
        return bytes / 1e6 / cpuSeconds;
    }
}
