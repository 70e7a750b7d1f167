package io.continuo.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.continuo.formats.pprof.PprofReader;
import io.continuo.model.ValidationException;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Truncations and bit flips of the real golden files: every decoder either succeeds or throws
 * {@link ProfileFormatException} / {@link ValidationException}; never an NPE, index error, OOM or hang.
 */
public class FuzzTest {
    private static final long SEED = 20240611L;

    /** Runs {@code decoder} on many damaged copies of {@code original}; returns how many were rejected. */
    public static int fuzz(byte[] original, int truncations, int flips, Consumer<byte[]> decoder) {
        Random random = new Random(SEED);
        int rejected = 0;
        for (int i = 0; i < truncations; i++) {
            int length = i == 0 ? 0 : (int) ((long) original.length * i / truncations);
            rejected += attempt(Arrays.copyOf(original, length), decoder, "truncated to " + length);
        }
        for (int i = 0; i < flips; i++) {
            byte[] damaged = original.clone();
            int flipsHere = 1 + random.nextInt(3);
            StringBuilder where = new StringBuilder("flipped");
            for (int k = 0; k < flipsHere; k++) {
                int offset = random.nextInt(damaged.length);
                int bit = random.nextInt(8);
                damaged[offset] ^= (byte) (1 << bit);
                where.append(' ').append(offset).append('.').append(bit);
            }
            rejected += attempt(damaged, decoder, where.toString());
        }
        return rejected;
    }

    private static int attempt(byte[] input, Consumer<byte[]> decoder, String what) {
        try {
            decoder.accept(input);
            return 0;
        } catch (ProfileFormatException | ValidationException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return 1;
        } catch (Throwable unexpected) {
            throw new AssertionError("input " + what + " ended in " + unexpected, unexpected);
        }
    }

    @Test
    void pprofGzippedAndRaw() {
        for (String file : new String[] {"go119.cpu.pb.gz", "go119.heap.pb.gz"}) {
            byte[] gz = TestData.bytes(file);
            byte[] raw = Gzip.decompress(gz, 1 << 26);
            int rejectedGz = fuzz(gz, 200, 300, b -> PprofReader.read(b, DecodeLimits.DEFAULT));
            int rejectedRaw = fuzz(raw, 300, 1500, b -> PprofReader.read(b, DecodeLimits.DEFAULT));
            assertThat(rejectedGz).isGreaterThan(200);
            assertThat(rejectedRaw).isGreaterThan(300);
        }
    }

    @Test
    void messagesNameFormatAndOffset() {
        byte[] raw = Gzip.decompress(TestData.bytes("go119.cpu.pb.gz"), 1 << 26);
        try {
            PprofReader.read(Arrays.copyOf(raw, 1234), DecodeLimits.DEFAULT);
            fail("truncated input accepted");
        } catch (ProfileFormatException e) {
            assertThat(e.format()).isEqualTo("pprof");
            assertThat(e.offset()).isBetween(0L, 1234L);
            assertThat(e.getMessage()).matches("pprof: .+ at offset \\d+");
        }
    }
}
