package io.continuo.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.formats.pprof.PprofReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GzipTest {

    /**
     * One byte past the 64 MiB limit, as zeros that compress about 1000:1: decoding must stop at the limit, not
     * inflate the rest. (Making a 1 GiB bomb proved the same and cost seconds of CPU per run.)
     */
    @Test
    void stopsAGzipBombAtTheLimit() throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                gz.write(zeros);
            }
            gz.write(0);
        }
        byte[] bomb = compressed.toByteArray();
        assertThat(bomb.length).isLessThan(1 << 20);
        assertThatThrownBy(() -> Gzip.maybeDecompress(bomb, DecodeLimits.DEFAULT, "pprof"))
                .isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("exceeds maxDecompressedBytes " + (64L << 20));
        assertThatThrownBy(() -> PprofReader.read(bomb, DecodeLimits.DEFAULT.withMaxDecompressedBytes(1 << 20)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("gzip bomb");
    }

    @Test
    void decompressesExactlyAtTheLimitAndDetectsMagic() throws IOException {
        byte[] payload = new byte[10_000];
        Arrays.fill(payload, (byte) 7);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
            gz.write(payload);
        }
        byte[] gz = compressed.toByteArray();
        assertThat(Gzip.isGzip(gz)).isTrue();
        assertThat(Gzip.isGzip(payload)).isFalse();
        assertThat(Gzip.decompress(gz, payload.length)).isEqualTo(payload);
        assertThatThrownBy(() -> Gzip.decompress(gz, payload.length - 1)).isInstanceOf(ProfileFormatException.class);
        assertThat(Gzip.maybeDecompress(payload, DecodeLimits.DEFAULT, "x")).isSameAs(payload);
        byte[] truncated = Arrays.copyOf(gz, gz.length - 5);
        assertThatThrownBy(() -> Gzip.decompress(truncated, 1 << 20))
                .isInstanceOf(ProfileFormatException.class).hasMessageStartingWith("gzip: truncated");
        byte[] corrupt = gz.clone();
        corrupt[3] = (byte) 0xff; // reserved flag bits
        assertThatThrownBy(() -> Gzip.decompress(corrupt, 1 << 20)).isInstanceOf(ProfileFormatException.class);
    }
}
