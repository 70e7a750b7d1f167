package io.continuo.model;

/**
 * Bounds on what an outsider may attach to a profile, checked once at ingest.
 *
 * @param maxLabels      most labels on one series (default 32)
 * @param maxNameLength  longest label name in characters (default 128)
 * @param maxValueLength longest label value in characters (default 1024)
 */
public record LabelLimits(int maxLabels, int maxNameLength, int maxValueLength) {
    public static final LabelLimits DEFAULT = new LabelLimits(32, 128, 1024);

    public LabelLimits {
        if (maxLabels < 1 || maxNameLength < 1 || maxValueLength < 1) {
            throw new IllegalArgumentException("label limits must be positive: " + maxLabels + ", " + maxNameLength + ", " + maxValueLength);
        }
    }

    /** Throws a {@link ValidationException} naming the first label that breaks a limit. */
    public Labels check(Labels labels) {
        if (labels.size() > maxLabels) {
            throw new ValidationException("too many labels: " + labels.size() + " (limit " + maxLabels + ")");
        }
        for (int i = 0; i < labels.size(); i++) {
            String name = labels.name(i);
            String value = labels.value(i);
            if (name.length() > maxNameLength) {
                throw new ValidationException("label name too long: '" + Strings.abbreviate(name, 40) + "' has "
                        + name.length() + " characters (limit " + maxNameLength + ")");
            }
            if (value.length() > maxValueLength) {
                throw new ValidationException("label value too long: label '" + name + "' has " + value.length()
                        + " characters (limit " + maxValueLength + ")");
            }
        }
        return labels;
    }
}
