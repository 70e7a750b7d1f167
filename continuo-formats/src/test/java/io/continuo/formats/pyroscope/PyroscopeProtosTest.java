package io.continuo.formats.pyroscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.FuzzTest;
import io.continuo.formats.Pb;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.TestData;
import io.continuo.model.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;

class PyroscopeProtosTest {

    private static Pb entry(long key, String value) {
        return new Pb().varint(1, key).string(2, value);
    }

    private static Pb context(long id, long... pairs) {
        Pb labels = new Pb();
        for (int i = 0; i < pairs.length; i += 2) {
            labels.message(1, new Pb().varint(1, pairs[i]).varint(2, pairs[i + 1]));
        }
        return new Pb().varint(1, id).message(2, labels);
    }

    static byte[] snapshot() {
        // contexts first, strings after: order on the wire is free
        return new Pb()
                .message(1, context(1, 10, 11, 12, 13))
                .message(1, context(2, 10, 14))
                .message(2, entry(10, "span_id"))
                .message(2, entry(11, "abc123"))
                .message(2, entry(12, "http route"))
                .message(2, entry(13, "/cart"))
                .message(2, entry(14, "def456"))
                .toBytes();
    }

    @Test
    void readsLabelsSnapshot() {
        LabelsSnapshot s = PyroscopeProtos.readLabelsSnapshot(snapshot(), DecodeLimits.DEFAULT);
        assertThat(s.labels(1)).isEqualTo(Labels.of("span_id", "abc123", "http_route", "/cart"));
        assertThat(s.labels(2)).isEqualTo(Labels.of("span_id", "def456"));
        assertThat(s.labels(0)).isEqualTo(Labels.EMPTY);
        assertThat(s.asFunction().apply(2)).isEqualTo(Labels.of("span_id", "def456"));
    }

    @Test
    void rejectsDanglingStringIdsAndLimits() {
        byte[] dangling = new Pb().message(1, context(1, 10, 99)).message(2, entry(10, "a")).toBytes();
        assertThatThrownBy(() -> PyroscopeProtos.readLabelsSnapshot(dangling, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("unknown string id 99");
        assertThatThrownBy(() -> PyroscopeProtos.readLabelsSnapshot(snapshot(), DecodeLimits.DEFAULT.withMaxLabelsPerSample(1)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("maxLabelsPerSample 1");
        assertThat(FuzzTest.fuzz(snapshot(), 40, 200, b -> PyroscopeProtos.readLabelsSnapshot(b, DecodeLimits.DEFAULT)))
                .isPositive();
    }

    static byte[] push() {
        byte[] cpu = TestData.bytes("go119.cpu.pb.gz");
        Pb series = new Pb()
                .message(1, new Pb().string(1, "__name__").string(2, "process_cpu"))
                .message(1, new Pb().string(1, "service_name").string(2, "shop"))
                .message(2, new Pb().bytes(1, cpu).string(2, "id-1"))
                .message(3, new Pb().string(1, "annotation").string(2, "dropped"));
        Pb other = new Pb().message(1, new Pb().string(1, "service_name").string(2, "cart"));
        return new Pb().message(1, series).message(1, other).toBytes();
    }

    @Test
    void readsPushRequest() {
        List<RawSeries> series = PyroscopeProtos.readPushRequest(push(), DecodeLimits.DEFAULT);
        assertThat(series).hasSize(2);
        assertThat(series.get(0).labels()).isEqualTo(Labels.of("__name__", "process_cpu", "service_name", "shop"));
        assertThat(series.get(0).profiles()).hasSize(1);
        assertThat(series.get(0).profiles().get(0)).isEqualTo(TestData.bytes("go119.cpu.pb.gz"));
        assertThat(series.get(1).profiles()).isEmpty();
        assertThat(FuzzTest.fuzz(push(), 60, 300, b -> PyroscopeProtos.readPushRequest(b, DecodeLimits.DEFAULT))).isPositive();
    }
}
