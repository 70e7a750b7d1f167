package io.continuo.formats.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.FuzzTest;
import io.continuo.formats.Gzip;
import io.continuo.formats.NoSamplesException;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.TestData;
import io.continuo.formats.pyroscope.PyroscopeProtos;
import io.continuo.model.Labels;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming chunk parser against the JDK's RecordingFile on every recording in testdata/ (the JDK's own and the
 * Pyroscope agent's async-profiler uploads, with and without their context labels), plus fuzzed input.
 */
class JfrStreamParityTest {
    @Test
    void jdkRecordingMatchesRecordingFile() {
        JfrParity.assertSameAsRecordingFile(TestData.bytes("jdk17-profile.jfr"), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"itimer", "live", "lock", "wall"})
    void asyncProfilerUploadsMatchRecordingFile(String mode) {
        byte[] jfr = TestData.bytes("pyroscope-java-" + mode + ".jfr.gz");
        LongFunction<Labels> contexts = PyroscopeProtos.readLabelsSnapshot(
                TestData.bytes("pyroscope-java-" + mode + ".labels.pb"), DecodeLimits.DEFAULT).asFunction();
        JfrParity.assertSameAsRecordingFile(jfr, contexts);
        JfrParity.assertSameAsRecordingFile(jfr, null);
    }

    @Test
    void recordingWithoutSamplesFailsAlikeNamingTheSameTypes() {
        byte[] jfr = TestData.bytes("pyroscope-java-no-samples.jfr.gz");
        String stream = message(() -> JfrReader.read(jfr, DecodeLimits.DEFAULT));
        String reference = message(() -> RecordingFileJfrReader.read(jfr, DecodeLimits.DEFAULT));
        assertThat(stream).startsWith("jfr: no profiling samples").isEqualTo(reference);
    }

    private static String message(Runnable r) {
        try {
            r.run();
            return "no error";
        } catch (NoSamplesException e) {
            return e.getMessage();
        }
    }

    @Test
    void fuzzedAsyncProfilerUploadsFailWithFormatErrors() {
        for (String mode : new String[] {"itimer", "wall"}) {
            byte[] raw = Gzip.decompress(TestData.bytes("pyroscope-java-" + mode + ".jfr.gz"), 1 << 26);
            int rejected = FuzzTest.fuzz(raw, 50, 500, b -> JfrReader.read(b, DecodeLimits.DEFAULT));
            assertThat(rejected).isGreaterThanOrEqualTo(50);
        }
    }

    @Test
    void malformedInputNamesTheOffset() {
        byte[] jfr = TestData.bytes("jdk17-profile.jfr").clone();
        // the metadata offset pointed past the chunk
        java.nio.ByteBuffer.wrap(jfr).putLong(24, jfr.length + 5L);
        try {
            JfrReader.read(jfr, DecodeLimits.DEFAULT);
            throw new AssertionError("accepted a metadata offset outside the chunk");
        } catch (ProfileFormatException e) {
            assertThat(e.offset()).isEqualTo(24);
            assertThat(e.getMessage()).contains("metadata offset");
        }
    }
}
