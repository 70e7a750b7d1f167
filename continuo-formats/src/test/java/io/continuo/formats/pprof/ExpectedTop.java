package io.continuo.formats.pprof;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code go tool pprof -top} output: sections per type with flat/cum per function, in the tool's units. */
final class ExpectedTop {
    /** One row, values in base units (ns or bytes) and the rounding the tool printed with (half a last digit). */
    record Row(String name, double flat, double cum, double flatTolerance, double cumTolerance) {
    }

    record Section(String type, double total, double totalTolerance, double dropped, List<Row> rows) {
    }

    private static final Pattern TYPE = Pattern.compile("^Type: (\\S+)");
    private static final Pattern CPU_TOTAL = Pattern.compile("Total samples = (\\S+)");
    private static final Pattern SHOWN_TOTAL = Pattern.compile("% of (\\S+) total");
    private static final Pattern DROPPED = Pattern.compile("\\(cum <= (\\S+)\\)");
    private static final Pattern ROW = Pattern.compile("^\\s*(\\S+)\\s+(\\S+)%\\s+(\\S+)%\\s+(\\S+)\\s+(\\S+)%\\s+(.+?)\\s*$");
    private static final Pattern VALUE = Pattern.compile("^([0-9.]+)([a-zA-Z]*)$");

    static Map<String, Section> parse(String text) {
        Map<String, Section> out = new LinkedHashMap<>();
        String type = null;
        double[] total = null;
        List<Row> rows = null;
        double dropped = 0;
        for (String line : text.split("\n")) {
            Matcher m = TYPE.matcher(line);
            if (m.find()) {
                if (type != null) {
                    out.put(type, new Section(type, total[0], total[1], dropped, rows));
                }
                type = m.group(1);
                total = null;
                rows = new ArrayList<>();
                dropped = 0;
                continue;
            }
            Matcher t = CPU_TOTAL.matcher(line);
            if (t.find()) {
                total = value(t.group(1));
                continue;
            }
            Matcher s = SHOWN_TOTAL.matcher(line);
            if (s.find() && total == null) {
                total = value(s.group(1));
                continue;
            }
            Matcher d = DROPPED.matcher(line);
            if (d.find()) {
                dropped = value(d.group(1))[0];
                continue;
            }
            Matcher r = ROW.matcher(line);
            if (rows != null && r.matches() && !line.contains("flat%")) {
                double[] flat = value(r.group(1));
                double[] cum = value(r.group(4));
                String name = r.group(6).replace(" (inline)", "");
                rows.add(new Row(name, flat[0], cum[0], flat[1], cum[1]));
            }
        }
        if (type != null) {
            out.put(type, new Section(type, total[0], total[1], dropped, rows));
        }
        return out;
    }

    /** [value in base units, tolerance = half of the last printed digit]. */
    static double[] value(String printed) {
        Matcher m = VALUE.matcher(printed);
        if (!m.matches()) {
            throw new IllegalArgumentException("unparsable value " + printed);
        }
        BigDecimal number = new BigDecimal(m.group(1));
        double scale = switch (m.group(2)) {
            case "", "B", "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "kB" -> 1024;
            case "MB" -> 1024 * 1024;
            case "GB" -> 1024.0 * 1024 * 1024;
            default -> throw new IllegalArgumentException("unit " + m.group(2));
        };
        double half = Math.pow(10, -number.scale()) / 2 * scale;
        return new double[] {number.doubleValue() * scale, half + 1e-6};
    }
}
