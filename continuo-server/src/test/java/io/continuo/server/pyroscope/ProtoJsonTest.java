package io.continuo.server.pyroscope;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.continuo.server.pyroscope.proto.PprofProto;
import io.continuo.server.pyroscope.proto.QuerierProto;
import io.continuo.server.pyroscope.proto.TypesProto;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our proto3 JSON codec against protobuf's own JsonFormat, both ways, on the API's messages. */
class ProtoJsonTest {

    private static final List<Message> SAMPLES = List.of(
            QuerierProto.SelectSeriesRequest.newBuilder().setProfileTypeID("process_cpu:cpu:nanoseconds:cpu:nanoseconds")
                    .setLabelSelector("{service_name=\"a\\\"b\"}").setStart(1_700_000_000_000L).setEnd(-5).setStep(15.5)
                    .addGroupBy("version").addGroupBy("env").setLimit(3)
                    .setAggregation(TypesProto.TimeSeriesAggregationType.TIME_SERIES_AGGREGATION_TYPE_SUM)
                    .setExemplarType(TypesProto.ExemplarType.EXEMPLAR_TYPE_INDIVIDUAL).build(),
            QuerierProto.FlameGraph.newBuilder().addNames("total").addNames("ünïcode ☃")
                    .addLevels(QuerierProto.Level.newBuilder().addValues(0).addValues(Long.MAX_VALUE).addValues(-1).addValues(1))
                    .setTotal(Long.MAX_VALUE).setMaxSelf(7).build(),
            QuerierProto.SelectMergeStacktracesResponse.newBuilder()
                    .setTree(com.google.protobuf.ByteString.copyFrom(new byte[]{0, -1, 62, 63})).build(),
            PprofProto.Profile.newBuilder().addStringTable("").addStringTable("x")
                    .addLocation(PprofProto.Location.newBuilder().setId(-1L).setAddress(Long.MIN_VALUE).setIsFolded(true))
                    .addSample(PprofProto.Sample.newBuilder().addLocationId(-1L).addValue(5)).build(),
            TypesProto.Point.newBuilder().setValue(Double.NaN).setTimestamp(1).build(),
            TypesProto.GetProfileStatsResponse.newBuilder().setDataIngested(true).build());

    @Test
    void printsWhatJsonFormatReads() throws Exception {
        for (Message m : SAMPLES) {
            Message.Builder b = m.newBuilderForType();
            JsonFormat.parser().merge(new String(ProtoJson.print(m), StandardCharsets.UTF_8), b);
            assertThat(b.build()).as(m.getDescriptorForType().getName()).isEqualTo(m);
        }
    }

    @Test
    void readsWhatJsonFormatPrints() throws Exception {
        for (Message m : SAMPLES) {
            Message.Builder b = m.newBuilderForType();
            ProtoJson.parse(JsonFormat.printer().print(m).getBytes(StandardCharsets.UTF_8), b);
            assertThat(b.build()).as(m.getDescriptorForType().getName()).isEqualTo(m);
            Message.Builder proto = m.newBuilderForType();
            ProtoJson.parse(JsonFormat.printer().preservingProtoFieldNames().print(m).getBytes(StandardCharsets.UTF_8), proto);
            assertThat(proto.build()).isEqualTo(m);
        }
    }

    @Test
    void connectsJsonShape() {
        String json = new String(ProtoJson.print(SAMPLES.get(0)), StandardCharsets.UTF_8);
        assertThat(json).contains("\"profileTypeID\":\"process_cpu", "\"start\":\"1700000000000\"", "\"end\":\"-5\"",
                "\"step\":15.5", "\"groupBy\":[\"version\",\"env\"]", "\"limit\":\"3\"",
                "\"aggregation\":\"TIME_SERIES_AGGREGATION_TYPE_SUM\"", "\"exemplarType\":\"EXEMPLAR_TYPE_INDIVIDUAL\"");
        // proto3 defaults are left out; an explicitly set optional field is not
        assertThat(new String(ProtoJson.print(QuerierProto.SelectMergeStacktracesRequest.getDefaultInstance()), StandardCharsets.UTF_8)).isEqualTo("{}");
        assertThat(new String(ProtoJson.print(QuerierProto.SelectMergeStacktracesRequest.newBuilder().setMaxNodes(0).build()),
                StandardCharsets.UTF_8)).isEqualTo("{\"maxNodes\":\"0\"}");
    }

    @Test
    void lenientWhereConnectIsAndStrictOnTypes() {
        QuerierProto.SelectMergeStacktracesRequest.Builder b = QuerierProto.SelectMergeStacktracesRequest.newBuilder();
        ProtoJson.parse(("{\"start\":5,\"end\":\"6\",\"maxNodes\":null,\"someNewField\":{\"x\":[1]},"
                + "\"format\":\"PROFILE_FORMAT_SOMETHING_NEW\",\"profile_typeID\":\"t\"}").getBytes(StandardCharsets.UTF_8), b);
        assertThat(b.getStart()).isEqualTo(5);
        assertThat(b.getEnd()).isEqualTo(6);
        assertThat(b.hasMaxNodes()).isFalse();
        assertThat(b.getProfileTypeID()).isEqualTo("t");
        ProtoJson.parse(new byte[0], QuerierProto.ProfileTypesRequest.newBuilder());
        assertThatThrownBy(() -> ProtoJson.parse("{\"start\":1.5}".getBytes(StandardCharsets.UTF_8), QuerierProto.ProfileTypesRequest.newBuilder()))
                .isInstanceOf(ConnectException.class).hasMessageContaining("'start'").hasMessageContaining("integer");
        assertThatThrownBy(() -> ProtoJson.parse("{\"matchers\":\"{}\"}".getBytes(StandardCharsets.UTF_8), TypesProto.LabelNamesRequest.newBuilder()))
                .isInstanceOf(ConnectException.class).hasMessageContaining("'matchers'").hasMessageContaining("array");
        assertThatThrownBy(() -> ProtoJson.parse("[1]".getBytes(StandardCharsets.UTF_8), TypesProto.LabelNamesRequest.newBuilder()))
                .isInstanceOf(ConnectException.class).hasMessageContaining("object");
        assertThatThrownBy(() -> ProtoJson.parse("{\"start\":".getBytes(StandardCharsets.UTF_8), TypesProto.LabelNamesRequest.newBuilder()))
                .isInstanceOf(ConnectException.class).hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> ProtoJson.parse("{\"start\":\"99999999999999999999\"}".getBytes(StandardCharsets.UTF_8), TypesProto.LabelNamesRequest.newBuilder()))
                .isInstanceOf(ConnectException.class).hasMessageContaining("out of range");
    }
}
