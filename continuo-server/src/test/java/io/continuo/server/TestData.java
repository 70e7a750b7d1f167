package io.continuo.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's real test profiles ({@code testdata/} at the root): -Dcontinuo.testdata, else walk up. */
public final class TestData {
    private static final String MARKER = "go119.cpu.pb.gz";

    private TestData() {
    }

    public static Path dir() {
        String prop = System.getProperty("continuo.testdata");
        if (prop != null && Files.isRegularFile(Path.of(prop, MARKER))) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata");
            if (Files.isRegularFile(candidate.resolve(MARKER))) {
                return candidate;
            }
        }
        throw new IllegalStateException("testdata/ not found above " + Path.of("").toAbsolutePath());
    }

    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(dir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
