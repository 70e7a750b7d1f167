package io.continuo.formats.internal;

import io.continuo.model.Labels;

/** Turns free-text label keys from foreign formats ("thread id") into valid Continuo label names. Not API. */
public final class LabelNames {
    private LabelNames() {
    }

    /** The name itself when valid, else with every other character replaced by {@code _} (and a leading {@code _} before a digit). */
    public static String sanitize(String raw) {
        if (Labels.isValidName(raw)) {
            return raw;
        }
        StringBuilder sb = new StringBuilder(raw.length() + 1);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9') || c == '.';
            sb.append(ok ? c : '_');
        }
        if (!Labels.isValidName(sb.toString())) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }
}
