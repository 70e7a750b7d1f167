package io.continuo.formats.pyroscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.TestData;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class PushJsonTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsSeriesLabelsAndRawProfiles() {
        byte[] pprof = TestData.bytes("go119.cpu.pb.gz");
        String json = "{\"series\":[{\"labels\":[{\"name\":\"__name__\",\"value\":\"process_cpu\"},{\"name\":\"service_name\",\"value\":\"rust-app\"}],"
                + "\"samples\":[{\"rawProfile\":\"" + Base64.getEncoder().encodeToString(pprof) + "\"}]}]}";
        List<RawSeries> series = PushJson.read(utf8(json), DecodeLimits.DEFAULT);
        assertThat(series).hasSize(1);
        assertThat(series.get(0).labels().get("service_name")).isEqualTo("rust-app");
        assertThat(series.get(0).profiles().get(0)).isEqualTo(pprof);
    }

    @Test
    void malformedBodiesNameTheProblem() {
        assertThatThrownBy(() -> PushJson.read(utf8("{\"series\":[{\"samples\":[{\"rawProfile\":\"%%%\"}]}]}"), DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("push-json").hasMessageContaining("base64");
        assertThatThrownBy(() -> PushJson.read(utf8("[1,2"), DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("invalid Connect JSON push body");
        assertThatThrownBy(() -> PushJson.read(utf8("[".repeat(1000)), DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class);
    }
}
