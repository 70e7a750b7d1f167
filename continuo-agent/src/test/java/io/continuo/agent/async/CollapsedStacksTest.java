package io.continuo.agent.async;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollapsedStacksTest {
    record Line(String thread, List<String> frames, long count) {}

    private static List<Line> parse(String text) {
        List<Line> out = new ArrayList<>();
        CollapsedStacks.parse(text, (t, f, c) -> out.add(new Line(t, List.copyOf(f), c)));
        return out;
    }

    @Test
    void threadFramesAndCount() {
        List<Line> lines = parse("[burner-1 tid=2131];java/lang/Thread.run_[j];app/Work.burn_[j] 193\n"
                + "[C1 CompilerThre tid=7];start_thread;CompileBroker::compiler_thread_loop 2\n");
        assertThat(lines).containsExactly(
                new Line("burner-1", List.of("java/lang/Thread.run_[j]", "app/Work.burn_[j]"), 193),
                new Line("C1 CompilerThre", List.of("start_thread", "CompileBroker::compiler_thread_loop"), 2));
    }

    @Test
    void threadNamesMayHoldSpacesBracketsAndSemicolons() {
        List<Line> lines = parse("[pool; [x tid=5] 1 tid=2445];java/lang/Thread.run_[j] 79\n");
        assertThat(lines).containsExactly(new Line("pool; [x tid=5] 1", List.of("java/lang/Thread.run_[j]"), 79));
    }

    @Test
    void framesWithSpacesLinesWithoutThreadCrLfAndJunk() {
        List<Line> lines = parse("a;operator new(unsigned long);b 3\r\n"
                + "\n"
                + "no count here\n"
                + "[t tid=1] 4\n"
                + "x;y -2\n"
                + "[only tid=9];f_[k] 1");
        assertThat(lines).containsExactly(
                new Line(null, List.of("a", "operator new(unsigned long)", "b"), 3),
                new Line("t", List.of(), 4),
                new Line("only", List.of("f_[k]"), 1));
        assertThat(CollapsedStacks.parse("no count here\nx;y -2\n", (t, f, c) -> { })).isEqualTo(2);
    }

    @Test
    void frameKindsAndNames() {
        assertThat(CollapsedStacks.kind("java/util/HashMap.get_[j]")).isEqualTo(CollapsedStacks.Kind.JAVA);
        assertThat(CollapsedStacks.kind("java/util/HashMap.get_[i]")).isEqualTo(CollapsedStacks.Kind.JAVA);
        assertThat(CollapsedStacks.kind("java/util/HashMap.get_[0]")).isEqualTo(CollapsedStacks.Kind.JAVA);
        assertThat(CollapsedStacks.kind("java/util/HashMap.get_[1]")).isEqualTo(CollapsedStacks.Kind.JAVA);
        assertThat(CollapsedStacks.kind("do_syscall_64_[k]")).isEqualTo(CollapsedStacks.Kind.KERNEL);
        assertThat(CollapsedStacks.kind("__GI_write")).isEqualTo(CollapsedStacks.Kind.NATIVE);
        assertThat(CollapsedStacks.kind("[unknown]")).isEqualTo(CollapsedStacks.Kind.NATIVE);
        assertThat(CollapsedStacks.functionName("java/util/HashMap.get_[j]", CollapsedStacks.Kind.JAVA))
                .isEqualTo("java.util.HashMap.get");
        assertThat(CollapsedStacks.functionName("Shop$$Lambda.0x0000000800c03000.run_[j]", CollapsedStacks.Kind.JAVA))
                .isEqualTo("Shop$$Lambda.run");
        assertThat(CollapsedStacks.functionName("do_syscall_64_[k]", CollapsedStacks.Kind.KERNEL)).isEqualTo("do_syscall_64_[k]");
        assertThat(CollapsedStacks.functionName("JavaThread::run()", CollapsedStacks.Kind.NATIVE)).isEqualTo("JavaThread::run()");
        assertThat(CollapsedStacks.className("app.Main$$Lambda$1.0x00007ffa34000a08.run")).isEqualTo("app.Main$$Lambda$1.0x00007ffa34000a08");
        assertThat(CollapsedStacks.className("main")).isEqualTo("main");
    }
}
