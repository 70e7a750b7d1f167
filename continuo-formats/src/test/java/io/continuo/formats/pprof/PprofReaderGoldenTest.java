package io.continuo.formats.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.TestData;
import io.continuo.model.FunctionStat;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Our reading of Go's own profiles agrees with {@code go tool pprof -top}. */
class PprofReaderGoldenTest {
    private static final Map<String, ExpectedTop.Section> EXPECTED = ExpectedTop.parse(TestData.text("go119.expected-top.txt"));

    @Test
    void cpuProfileMatchesGoToolPprofTop() {
        Profile profile = PprofReader.read(TestData.bytes("go119.cpu.pb.gz"), DecodeLimits.DEFAULT);
        assertThat(profile.types()).extracting(ProfileType::name).containsExactly("samples", "cpu");
        assertThat(profile.periodNanos()).isEqualTo(10_000_000L);
        assertThat(profile.startNanos()).isPositive();
        assertThat(profile.durationNanos()).isBetween(3_000_000_000L, 3_200_000_000L);
        assertMatches(profile, "cpu", EXPECTED.get("cpu"));
    }

    @Test
    void heapProfileMatchesGoToolPprofTop() {
        Profile profile = PprofReader.read(TestData.bytes("go119.heap.pb.gz"), DecodeLimits.DEFAULT);
        assertThat(profile.types()).extracting(ProfileType::name)
                .containsExactly("alloc_objects", "alloc_bytes", "inuse_objects", "inuse_bytes");
        assertMatches(profile, "alloc_bytes", EXPECTED.get("alloc_space"));
        assertMatches(profile, "inuse_bytes", EXPECTED.get("inuse_space"));
    }

    static void assertMatches(Profile profile, String type, ExpectedTop.Section expected) {
        int column = profile.typeIndex(type);
        assertThat(expected.rows()).hasSizeGreaterThanOrEqualTo(4);
        assertThat((double) profile.total(column)).as("total of " + type).isCloseTo(expected.total(), within(expected.totalTolerance()));
        List<FunctionStat> top = profile.toFlameTree(column).topFunctions(0);
        Map<String, FunctionStat> byName = top.stream().collect(Collectors.toMap(FunctionStat::name, Function.identity()));
        for (ExpectedTop.Row row : expected.rows()) {
            FunctionStat stat = byName.get(row.name());
            assertThat(stat).as(row.name()).isNotNull();
            assertThat((double) stat.self()).as("flat of " + row.name()).isCloseTo(row.flat(), within(row.flatTolerance()));
            assertThat((double) stat.total()).as("cum of " + row.name()).isCloseTo(row.cum(), within(row.cumTolerance()));
        }
        // The tool's top rows by flat are our top rows by self (ties at the cut may order differently).
        double cut = expected.rows().get(expected.rows().size() - 1).flat();
        for (FunctionStat stat : top) {
            if (stat.total() > expected.dropped() && stat.self() > cut + expected.rows().get(expected.rows().size() - 1).flatTolerance()) {
                assertThat(expected.rows()).extracting(ExpectedTop.Row::name).as("our top includes").contains(stat.name());
            }
        }
    }
}
