package io.continuo.bench.overhead;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Finds the agent jars and the bench classes the child JVMs need, failing with what to build or fetch. */
final class Artifacts {
    static final String CONTINUO_AGENT = "continuo-agent/target/continuo-agent.jar";
    static final String CONTINUO_SERVER = "continuo-server/target/continuo-server-0.1.0-SNAPSHOT.jar";
    static final String PYROSCOPE_VERSION = "2.1.2";
    private static final String PYROSCOPE_AGENT = "io/pyroscope/agent/" + PYROSCOPE_VERSION + "/agent-" + PYROSCOPE_VERSION + ".jar";

    private Artifacts() {}

    /** The directory or jar holding this package's classes: the child's whole classpath. */
    static Path benchClasses() {
        try {
            return Path.of(MixedWorkload.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot locate the bench classes: " + e.getMessage(), e);
        }
    }

    /** {@code override} if given, else continuo-agent/target/continuo-agent.jar in the repository above the bench classes or the working directory. */
    static Path continuoAgent(String override) {
        return inRepository(override, CONTINUO_AGENT, "Continuo agent jar", "continuoAgent");
    }

    /** {@code override} if given, else the runnable server jar in continuo-server/target, found like the agent. */
    static Path continuoServer(String override) {
        return inRepository(override, CONTINUO_SERVER, "Continuo server jar", "continuoServer");
    }

    private static Path inRepository(String override, String relative, String what, String key) {
        if (override != null) return existing(Path.of(override), what + " (" + key + "=)");
        List<Path> tried = new ArrayList<>();
        for (Path root : roots()) {
            Path jar = root.resolve(relative);
            if (Files.isRegularFile(jar)) return jar.toAbsolutePath().normalize();
            tried.add(jar);
        }
        throw new IllegalStateException(what + " not found (tried " + tried + "): build it with "
                + "mvn -q install -DskipTests from the repository root, or pass " + key + "=/path/to/it.jar");
    }

    /** A private copy in the run's directory, so a concurrent rebuild cannot change the jar between rounds. */
    static Path snapshot(Path jar, Path dir, String name) throws IOException {
        return Files.copy(jar, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code override} if given, else io.pyroscope:agent in the local Maven repository (maven.repo.local or ~/.m2). */
    static Path pyroscopeAgent(String override) {
        if (override != null) return existing(Path.of(override), "Pyroscope agent jar (pyroscopeAgent=)");
        String local = System.getProperty("maven.repo.local");
        Path repo = local != null && !local.isBlank() ? Path.of(local)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        Path jar = repo.resolve(PYROSCOPE_AGENT);
        if (Files.isRegularFile(jar)) return jar;
        throw new IllegalStateException("Pyroscope agent jar not found at " + jar + ": build with mvn -q install -DskipTests "
                + "(continuo-bench declares it) or fetch it with mvn dependency:get -Dartifact=io.pyroscope:agent:"
                + PYROSCOPE_VERSION + ", or pass pyroscopeAgent=/path/to/agent.jar");
    }

    private static Path existing(Path p, String what) {
        if (!Files.isRegularFile(p)) throw new IllegalStateException(what + " not found: " + p.toAbsolutePath());
        return p.toAbsolutePath().normalize();
    }

    /** The working directory and its parents, then the parents of the bench classes (target/classes in a checkout). */
    private static Set<Path> roots() {
        Set<Path> roots = new LinkedHashSet<>();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) roots.add(p);
        try {
            for (Path p = benchClasses().toAbsolutePath(); p != null; p = p.getParent()) roots.add(p);
        } catch (IllegalStateException e) {
            // The working directory is enough.
        }
        return roots;
    }
}
