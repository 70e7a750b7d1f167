package io.continuo.agent.async;

import io.continuo.agent.jfr.ClassNames;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads async-profiler's collapsed output as produced by {@code collapsed,ann} on a profile started with
 * {@code threads}: one line per distinct (thread, stack), frames root first separated by {@code ;}, then a
 * space and the sample count:
 *
 * <pre>
 * [burner-1 tid=2131];java/lang/Thread.run_[j];app/Work.burn_[j] 193
 * [writer tid=2593];...;sun/nio/ch/FileDispatcherImpl.write0_[j];__GI_write;ksys_write_[k] 4
 * </pre>
 *
 * The first frame names the thread ({@code [name tid=N]}; the name may itself hold spaces, brackets
 * and semicolons). {@code ann} suffixes Java frames with {@code _[j]} (JIT-compiled), {@code _[i]}
 * (inlined), {@code _[0]} (interpreted) or {@code _[1]} (C1), and kernel frames with {@code _[k]};
 * native frames carry no suffix. Pure string work, no async-profiler needed: unit-tested.
 */
public final class CollapsedStacks {
    /** What kind of code a frame is. */
    public enum Kind { JAVA, NATIVE, KERNEL }

    /** Receives one line: thread name (null when the line has no thread frame), frames root first, count. */
    public interface Sink {
        void stack(String thread, List<String> framesRootFirst, long count);
    }

    private CollapsedStacks() {}

    /** Feeds every well-formed line to {@code sink}; malformed lines are skipped and counted. */
    public static int parse(String text, Sink sink) {
        int malformed = 0;
        List<String> frames = new ArrayList<>(64);
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) eol = n;
            int end = eol;
            if (end > pos && text.charAt(end - 1) == '\r') end--;
            if (end > pos && !parseLine(text, pos, end, frames, sink)) malformed++;
            pos = eol + 1;
        }
        return malformed;
    }

    private static boolean parseLine(String text, int start, int end, List<String> frames, Sink sink) {
        int space = text.lastIndexOf(' ', end - 1);
        if (space < start) return false;
        long count;
        try {
            count = Long.parseLong(text, space + 1, end, 10);
        } catch (NumberFormatException e) {
            return false;
        }
        if (count <= 0) return false;
        String thread = null;
        int pos = start;
        if (text.charAt(start) == '[') {
            int close = threadFrameEnd(text, start, space);
            if (close > 0) {
                int tid = text.lastIndexOf(" tid=", close);
                thread = text.substring(start + 1, tid);
                pos = close + 1; // at ';' or at the count's space
                if (pos < space) pos++;
            }
        }
        frames.clear();
        while (pos < space) {
            int semi = text.indexOf(';', pos);
            if (semi < 0 || semi > space) semi = space;
            if (semi > pos) frames.add(text.substring(pos, semi));
            pos = semi + 1;
        }
        if (frames.isEmpty() && thread == null) return false;
        sink.stack(thread, frames, count);
        return true;
    }

    /**
     * The index of the ']' closing the thread frame {@code [name tid=N]}: the first {@code " tid=<digits>]"}
     * followed by ';' or by the count's space, so names with spaces, brackets or ';' survive. -1 if none.
     */
    static int threadFrameEnd(String text, int start, int space) {
        int from = start + 1;
        while (true) {
            int tid = text.indexOf(" tid=", from);
            if (tid < 0 || tid >= space) return -1;
            int i = tid + 5;
            while (i < space && Character.isDigit(text.charAt(i))) i++;
            if (i > tid + 5 && i < text.length() && text.charAt(i) == ']'
                    && (i + 1 == space || (i + 1 < space && text.charAt(i + 1) == ';'))) {
                return i;
            }
            from = tid + 1;
        }
    }

    public static Kind kind(String frame) {
        int n = frame.length();
        if (n > 4 && frame.charAt(n - 1) == ']' && frame.charAt(n - 4) == '_' && frame.charAt(n - 3) == '[') {
            char c = frame.charAt(n - 2);
            if (c == 'k') return Kind.KERNEL;
            if (c == 'j' || c == 'i' || c == '0' || c == '1') return Kind.JAVA;
        }
        return Kind.NATIVE;
    }

    /**
     * A Java frame {@code java/util/HashMap.get_[j]} as {@code java.util.HashMap.get}, the name the JFR
     * engine gives it; kernel frames keep their {@code _[k]} mark; native frames stay as they are.
     */
    public static String functionName(String frame, Kind kind) {
        if (kind != Kind.JAVA) return frame;
        String name = frame.substring(0, frame.length() - 4).replace('/', '.');
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? name : ClassNames.stable(name.substring(0, dot)) + name.substring(dot);
    }

    /** The class part of a Java function name ({@code java.util.HashMap}), the whole name if it has no dot. */
    public static String className(String javaFunctionName) {
        int dot = javaFunctionName.lastIndexOf('.');
        return dot <= 0 ? javaFunctionName : javaFunctionName.substring(0, dot);
    }
}
