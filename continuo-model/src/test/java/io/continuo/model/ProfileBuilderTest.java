package io.continuo.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileBuilderTest {

    @Test
    void mergesSamplesWithSameStackAndLabels() {
        ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.CPU, ProfileType.WALL));
        int main = b.frame("main");
        int work = b.frame("work");
        int[] stack = {main, work};
        b.addSample(stack, 2, new long[]{10, 20}, Labels.EMPTY);
        b.addSample(stack, 2, new long[]{5, 5}, Labels.EMPTY);
        b.addSample(stack, 2, new long[]{1, 1}, Labels.of("thread", "t1"));
        Profile p = b.build();
        assertThat(p.sampleCount()).isEqualTo(2);
        assertThat(p.total(0)).isEqualTo(16);
        assertThat(p.total(1)).isEqualTo(26);
        assertThat(p.stacks().depth(p.stack(0))).isEqualTo(2);
        FlameTree tree = p.toFlameTree(0);
        assertThat(tree.total()).isEqualTo(16);
        assertThat(tree.topFunctions(0).get(0)).isEqualTo(new FunctionStat("work", 16, 16));
    }

    @Test
    void rejectsStacksDeeperThanTheLimit() {
        ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.CPU), 100);
        int f = b.frame("f");
        int[] deep = new int[101];
        java.util.Arrays.fill(deep, f);
        assertThatThrownBy(() -> b.addSample(deep, deep.length, new long[]{1}, Labels.EMPTY))
                .isInstanceOf(ValidationException.class).hasMessageContaining("101 frames (limit 100)");
        int s = 0;
        for (int i = 0; i < 100; i++) {
            s = b.childStack(s, f);
        }
        int last = s;
        assertThatThrownBy(() -> b.childStack(last, f)).isInstanceOf(ValidationException.class);
    }

    @Test
    void addValueSurvivesGrowingTheSampleArrays() {
        ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.LOCK_COUNT, ProfileType.LOCK_DURATION));
        int f = b.frame("f");
        for (int i = 0; i < 1000; i++) {
            int stack = b.childStack(StackTable.ROOT, b.frame("g" + i));
            b.addValue(b.childStack(stack, f), 0, 1, Labels.EMPTY);
            b.addValue(b.childStack(stack, f), 1, 10, Labels.EMPTY);
        }
        Profile p = b.build();
        assertThat(p.sampleCount()).isEqualTo(1000);
        assertThat(p.total(0)).isEqualTo(1000);
        assertThat(p.total(1)).isEqualTo(10_000);
    }

    @Test
    void stackIdsAreContentHashes() {
        long a = Hashing.stackId(Hashing.stackId(0, Frame.of("main").id()), Frame.of("work").id());
        long b = Hashing.stackId(Hashing.stackId(0, Frame.of("main").id()), Frame.of("work").id());
        long c = Hashing.stackId(Hashing.stackId(0, Frame.of("work").id()), Frame.of("main").id());
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }
}
