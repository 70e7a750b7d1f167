package io.continuo.server.insights;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Relative UI URLs in the web UI's URL-state format (web/js/app.js: {@code /explore?view=diff&service=...&l.k=v}),
 * so an insight opens the view that shows its evidence.
 */
final class Links {
    private Links() {
    }

    /** The compare view with a custom baseline and comparison: two ranges and/or two label sets. */
    static String compare(String service, String type, Map<String, String> labels, long bFrom, long bUntil, String bLabels,
                          long cFrom, long cUntil, String cLabels) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("view", "diff");
        p.put("service", service);
        p.put("type", type);
        p.put("from", Long.toString(Math.min(bFrom, cFrom)));
        p.put("until", Long.toString(Math.max(bUntil, cUntil)));
        p.put("cmp", "custom");
        p.put("bFrom", Long.toString(bFrom));
        p.put("bUntil", Long.toString(bUntil));
        p.put("cFrom", Long.toString(cFrom));
        p.put("cUntil", Long.toString(cUntil));
        if (bLabels != null) {
            p.put("bLabels", bLabels);
        }
        if (cLabels != null) {
            p.put("cLabels", cLabels);
        }
        labels.forEach((k, v) -> {
            if (!k.equals("service")) {
                p.put("l." + k, v);
            }
        });
        return "/explore?" + query(p);
    }

    private static String query(Map<String, String> params) {
        StringJoiner j = new StringJoiner("&");
        params.forEach((k, v) -> j.add(enc(k) + "=" + enc(v)));
        return j.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
