package io.continuo.formats.collapsed;

import io.continuo.model.FlameTree;
import io.continuo.model.Profile;
import io.continuo.model.StackTable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes collapsed stacks: root first, frames joined by {@code ;}, a space, the value; one line per distinct stack
 * (samples that differ only in labels or lines are summed), sorted by stack text so output is deterministic.
 * {@code ;} and line breaks inside frame names are replaced by {@code :} and a space to keep lines parseable.
 */
public final class CollapsedWriter {
    private CollapsedWriter() {
    }

    public static void write(Profile profile, int type, Writer out) throws IOException {
        Map<String, Long> lines = new TreeMap<>();
        StackTable stacks = profile.stacks();
        String[] names = new String[profile.frames().size()];
        int[] path = new int[64];
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < profile.sampleCount(); s++) {
            long value = profile.value(s, type);
            if (value == 0) {
                continue;
            }
            int depth = stacks.depth(profile.stack(s));
            if (depth == 0) {
                continue;
            }
            if (path.length < depth) {
                path = new int[Math.max(depth, path.length * 2)];
            }
            stacks.framesRootFirst(profile.stack(s), path);
            sb.setLength(0);
            for (int i = 0; i < depth; i++) {
                int f = path[i];
                if (names[f] == null) {
                    names[f] = clean(profile.frames().get(f).name());
                }
                if (i > 0) {
                    sb.append(';');
                }
                sb.append(names[f]);
            }
            lines.merge(sb.toString(), value, Long::sum);
        }
        emit(lines, out);
    }

    /** One column of a flame tree: every node with a self value is a line. */
    public static void write(FlameTree tree, int column, Writer out) throws IOException {
        Map<String, Long> lines = new TreeMap<>();
        tree.forEachStack(column, (path, value) -> {
            StringBuilder sb = new StringBuilder();
            for (String name : path) {
                if (sb.length() > 0) {
                    sb.append(';');
                }
                sb.append(clean(name));
            }
            lines.merge(sb.toString(), value, Long::sum);
        });
        emit(lines, out);
    }

    public static String toString(Profile profile, int type) {
        StringWriter out = new StringWriter();
        try {
            write(profile, type, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void emit(Map<String, Long> lines, Writer out) throws IOException {
        for (Map.Entry<String, Long> e : lines.entrySet()) {
            out.write(e.getKey());
            out.write(' ');
            out.write(Long.toString(e.getValue()));
            out.write('\n');
        }
        out.flush();
    }

    private static String clean(String name) {
        if (name.indexOf(';') < 0 && name.indexOf('\n') < 0 && name.indexOf('\r') < 0) {
            return name;
        }
        return name.replace(';', ':').replace('\n', ' ').replace('\r', ' ');
    }
}
