package io.continuo.formats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's golden files ({@code testdata/} at the root): system property {@code continuo.testdata}, else walk up. */
public final class TestData {
    private static final String MARKER = "go119.cpu.pb.gz";
    private static Path dir;

    private TestData() {
    }

    public static synchronized Path dir() {
        if (dir != null) {
            return dir;
        }
        String prop = System.getProperty("continuo.testdata");
        if (prop != null && Files.isRegularFile(Path.of(prop, MARKER))) {
            return dir = Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata");
            if (Files.isRegularFile(candidate.resolve(MARKER))) {
                return dir = candidate;
            }
        }
        throw new IllegalStateException("testdata/ not found above " + Path.of("").toAbsolutePath()
                + "; set -Dcontinuo.testdata");
    }

    public static Path path(String name) {
        return dir().resolve(name);
    }

    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        try {
            return Files.readString(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
