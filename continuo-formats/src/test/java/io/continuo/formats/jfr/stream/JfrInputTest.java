package io.continuo.formats.jfr.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.formats.ProfileFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** JFR's primitive encodings, and their malformed forms failing with the offset. */
class JfrInputTest {
    private static JfrInput in(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new JfrInput(ByteBuffer.wrap(b), true);
    }

    @Test
    void compressedIntegers() {
        assertThat(in(0x05).varlong()).isEqualTo(5);
        assertThat(in(0x80, 0x01).varlong()).isEqualTo(128);
        // nine bytes: the ninth carries a full 8 bits
        assertThat(in(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff).varlong()).isEqualTo(-1L);
        assertThatThrownBy(() -> in(0x80, 0x80).varlong()).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("at offset 2");
    }

    @Test
    void everyStringEncoding() {
        byte[] utf8 = "h\u00e9".getBytes(StandardCharsets.UTF_8);
        assertThat(in(0).string()).isNull();
        assertThat(in(1).string()).isEqualTo("");
        assertThat(in(2, 7).string()).isEqualTo(new JfrInput.StringRef(7));
        assertThat(in(3, utf8.length, utf8[0] & 0xff, utf8[1] & 0xff, utf8[2] & 0xff).string()).isEqualTo("h\u00e9");
        assertThat(in(4, 2, 0x68, 0xe9, 0x01).string()).isEqualTo("h\u00e9");
        assertThat(in(5, 2, 0x68, 0xe9).string()).isEqualTo("h\u00e9");
        JfrInput skip = in(3, 2, 0x61, 0x62, 4, 1, 0x63, 5, 1, 0x64);
        assertThat(skip.skipString()).isZero();
        assertThat(skip.skipString()).isEqualTo(4);
        assertThat(skip.skipString()).isEqualTo(7);
        assertThat(skip.remaining()).isZero();
        assertThat(skip.inlineStringAt(4)).isEqualTo("c");
    }

    @Test
    void malformedStringsFailWithTheirOffset() {
        assertThatThrownBy(() -> in(9).string()).isInstanceOf(ProfileFormatException.class)
                .hasMessage("jfr: unknown string encoding 9 at offset 0");
        // a declared length beyond the input never allocates it
        assertThatThrownBy(() -> in(3, 0xff, 0xff, 0xff, 0xff, 0x07, 0x41).string()).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("string length 2147483647 exceeds the 1 bytes left");
        assertThatThrownBy(() -> in(4, 3, 0x41).string()).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("string length 3 exceeds");
        assertThatThrownBy(() -> in(2, 7).inlineString()).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("constant-pool string where an inline one is required");
    }
}
