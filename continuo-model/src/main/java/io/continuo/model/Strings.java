package io.continuo.model;

/** Small string helpers for messages that quote attacker-controlled text. */
public final class Strings {
    private Strings() {
    }

    /** The text cut to {@code max} characters with an ellipsis, so an error never echoes a megabyte back. */
    public static String abbreviate(String text, int max) {
        if (text == null) {
            return "null";
        }
        return text.length() <= max ? text : text.substring(0, max) + "...(" + text.length() + " chars)";
    }
}
