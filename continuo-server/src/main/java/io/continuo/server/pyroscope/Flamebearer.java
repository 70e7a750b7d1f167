package io.continuo.server.pyroscope;

import io.continuo.server.pyroscope.proto.QuerierProto;
import io.continuo.store.TimeSeries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The legacy {@code /pyroscope/render} answer, Pyroscope's "flamebearer" JSON: the same levels as the Connect flame
 * graph under {@code flamebearer}, a {@code metadata} block (format single or double, units as Pyroscope names
 * them) and, for a single profile, a {@code timeline} of totals per step.
 */
final class Flamebearer {
    private static final int SAMPLE_RATE = 100;

    private Flamebearer() {
    }

    static Map<String, Object> single(QuerierProto.FlameGraph fg, PyroscopeType type, TimeSeries timeline, long stepMillis) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", 1);
        body.put("flamebearer", flamebearer(fg.getNamesList(), fg.getLevelsList(), fg.getTotal(), fg.getMaxSelf()));
        body.put("metadata", metadata("single", type));
        body.put("timeline", timeline(timeline, stepMillis));
        body.put("groups", null);
        body.put("heatmap", null);
        return body;
    }

    static Map<String, Object> diff(QuerierProto.FlameGraphDiff fg, PyroscopeType type) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", 1);
        body.put("flamebearer", flamebearer(fg.getNamesList(), fg.getLevelsList(), fg.getTotal(), fg.getMaxSelf()));
        body.put("metadata", metadata("double", type));
        body.put("timeline", null);
        body.put("groups", null);
        body.put("heatmap", null);
        body.put("leftTicks", fg.getLeftTicks());
        body.put("rightTicks", fg.getRightTicks());
        return body;
    }

    private static Map<String, Object> flamebearer(List<String> names, List<QuerierProto.Level> levels, long total, long maxSelf) {
        List<List<Long>> out = new ArrayList<>(levels.size());
        for (QuerierProto.Level l : levels) {
            out.add(l.getValuesList());
        }
        Map<String, Object> fb = new LinkedHashMap<>();
        fb.put("names", names);
        fb.put("levels", out);
        fb.put("numTicks", total);
        fb.put("maxSelf", maxSelf);
        return fb;
    }

    private static Map<String, Object> metadata(String format, PyroscopeType type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("spyName", "");
        m.put("sampleRate", SAMPLE_RATE);
        m.put("units", units(type));
        m.put("name", type.sampleType());
        return m;
    }

    /** Pyroscope's unit names: CPU as samples, object counts as objects, otherwise the sample unit. */
    static String units(PyroscopeType type) {
        return switch (type.sampleType()) {
            case "inuse_objects", "alloc_objects", "goroutine", "samples" -> "objects";
            case "cpu" -> "samples";
            default -> type.sampleUnit();
        };
    }

    /** Totals per step from the first step's start (unix seconds), as Pyroscope's timeline. */
    private static Map<String, Object> timeline(TimeSeries series, long stepMillis) {
        Map<String, Object> t = new LinkedHashMap<>();
        List<Long> samples = new ArrayList<>();
        long start = 0;
        if (series != null && series.timestamps().length > 0) {
            start = series.timestamps()[0] / 1000;
            for (double v : series.values()) {
                samples.add(Math.round(v));
            }
        }
        t.put("startTime", start);
        t.put("samples", samples);
        t.put("durationDelta", stepMillis / 1000);
        t.put("watermarks", null);
        return t;
    }
}
