package io.continuo.formats.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.formats.DecodeLimits;
import io.continuo.model.Frame;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.LongFunction;

/** Compares the streaming parser with the JDK's RecordingFile (the former parser) on one recording. */
final class JfrParity {
    private JfrParity() {
    }

    /** Both parsers give the same profiles: types, windows, periods, totals, and every (stack, labels) value. */
    static List<Profile> assertSameAsRecordingFile(byte[] recording, LongFunction<Labels> contexts) {
        List<Profile> stream = JfrReader.read(recording, DecodeLimits.DEFAULT, contexts);
        List<Profile> reference = RecordingFileJfrReader.read(recording, DecodeLimits.DEFAULT, contexts);
        assertThat(render(stream)).isEqualTo(render(reference));
        return stream;
    }

    /** A canonical text of profiles: independent of stack/frame id order, sorted (stack;labels) lines. */
    static List<String> render(List<Profile> profiles) {
        List<String> out = new ArrayList<>();
        for (Profile p : profiles) {
            out.add("profile " + p.types() + " start=" + p.startNanos() + " duration=" + p.durationNanos()
                    + " period=" + p.periodNanos());
            for (int t = 0; t < p.types().size(); t++) {
                out.add("  total " + p.types().get(t).name() + "=" + p.total(t));
            }
            TreeMap<String, long[]> lines = new TreeMap<>();
            int[] frames = new int[p.stacks().size() + 1];
            for (int s = 0; s < p.sampleCount(); s++) {
                int depth = p.stacks().framesRootFirst(p.stack(s), frames);
                StringBuilder sb = new StringBuilder("  ");
                for (int i = 0; i < depth; i++) {
                    Frame f = p.frames().get(frames[i]);
                    sb.append(i == 0 ? "" : ";").append(f.name()).append(':').append(f.line());
                }
                sb.append(' ').append(p.sampleLabels(s));
                long[] v = lines.computeIfAbsent(sb.toString(), k -> new long[p.types().size()]);
                for (int t = 0; t < v.length; t++) {
                    v[t] += p.value(s, t);
                }
            }
            lines.forEach((k, v) -> out.add(k + " " + java.util.Arrays.toString(v)));
        }
        return out;
    }
}
