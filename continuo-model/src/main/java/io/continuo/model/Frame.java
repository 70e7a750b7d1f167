package io.continuo.model;

/**
 * One frame of a stack: a function (Java frames are {@code package.Class.method}, Go frames their pprof function name),
 * the source file when known (may be empty), and the line (0 when unknown).
 */
public record Frame(String name, String file, int line) {
    public Frame {
        name = name == null || name.isEmpty() ? "[unknown]" : name;
        file = file == null ? "" : file;
    }

    public static Frame of(String name) {
        return new Frame(name, "", 0);
    }

    /** The content hash that names this frame in storage; lines are not part of a frame's identity there. */
    public long id() {
        return Hashing.hash(name, file);
    }
}
