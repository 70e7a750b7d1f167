package io.continuo.server.it;

import io.continuo.server.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command the README and docs/ show a user is run as written, in document order, against a server started
 * by the README's own first command: {@code ./continuo} is this build's CLI, {@code localhost:4040} the test's port,
 * {@code continuo-agent.jar} the agent this build packaged, {@code app.jar} a small real app. Commands that cannot run
 * here say why in {@link #skipReason}; a doc that gains a command gains a test.
 */
class DocsCommandsTest {
    private static final Pattern FENCE = Pattern.compile("(?ms)^```(?:bash|sh|shell)\\s*\\n(.*?)^```");
    private static final Pattern INLINE = Pattern.compile("`((?:\\./continuo|curl) [^`]+)`");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    /** A relative path that starts at one of the repository's top-level folders. */
    private static final Pattern REPO_PATH = Pattern.compile("(^|[\\s:=])((?:continuo-[a-z]+|testdata|docs)/)");

    @TempDir
    Path work;

    record DocCommand(String file, String text) {
    }

    @Test
    void everyDocumentedCommandRunsAsWritten() throws Exception {
        Path root = repositoryRoot();
        List<DocCommand> commands = commands(root);
        assertThat(commands).as("commands found in README.md and docs/").hasSizeGreaterThan(10);
        prepareFixtures();

        DocCommand serverCommand = commands.stream().filter(c -> c.text().startsWith("./continuo server")).findFirst()
                .orElseThrow(() -> new AssertionError("README shows no './continuo server' command"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process server = start(rewrite(serverCommand.text(), port, root), work.resolve("server.log"), port);
        List<String> failures = new ArrayList<>();
        int ran = 0;
        try {
            awaitSelfProfile(port, server);
            for (DocCommand c : commands) {
                if (c == serverCommand || skipReason(c.text()) != null) {
                    continue;
                }
                String shell = rewrite(c.text(), port, root);
                Path log = work.resolve("cmd-" + ran++ + ".log");
                Process p = start(shell, log, port);
                if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    failures.add(c.file() + ": `" + c.text() + "` did not finish within " + COMMAND_TIMEOUT);
                } else if (p.exitValue() != 0) {
                    failures.add(c.file() + ": `" + c.text() + "` exited " + p.exitValue() + ":\n" + Files.readString(log));
                }
            }
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(failures).as("documented commands that failed").isEmpty();
        assertThat(ran).as("documented commands run").isGreaterThan(8);
    }

    /** Why a documented command is not run here, or null to run it. */
    static String skipReason(String command) {
        if (command.startsWith("mvn ")) {
            return "the build itself: .ci/run runs the test command, the benchmarks are run by hand";
        }
        if (command.contains("example.com") || command.contains("http://x:4040") || command.contains("...")) {
            return "a placeholder host or key";
        }
        if (command.startsWith("./continuo server")) {
            return "one server per test: the first './continuo server' command is the one started";
        }
        if (command.startsWith("#")) {
            return "a comment";
        }
        if (command.contains("JfrThroughput") || command.contains("io.continuo.bench.")) {
            return "a hand-run benchmark (minutes of CPU; its code compiles with the suite)";
        }
        return null;
    }

    static List<DocCommand> commands(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<DocCommand> out = new ArrayList<>();
        for (Path file : files) {
            String text = Files.readString(file);
            String name = root.relativize(file).toString();
            Matcher fence = FENCE.matcher(text);
            while (fence.find()) {
                for (String line : fence.group(1).replace("\\\n", " ").split("\n")) {
                    String command = stripComment(line).trim();
                    if (!command.isEmpty()) {
                        out.add(new DocCommand(name, command));
                    }
                }
            }
            Matcher inline = INLINE.matcher(text.replaceAll("(?ms)^```.*?^```", ""));
            while (inline.find()) {
                out.add(new DocCommand(name, inline.group(1).trim()));
            }
        }
        return out;
    }

    /** Drops a trailing {@code # comment} that is outside quotes. */
    static String stripComment(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '\'' && !dbl) {
                single = !single;
            } else if (ch == '"' && !single) {
                dbl = !dbl;
            } else if (ch == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String rewrite(String command, int port, Path root) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cli = java + " -cp '" + System.getProperty("java.class.path") + "' io.continuo.server.cli.Main";
        Path agent = root.resolve("continuo-agent/target/continuo-agent.jar");
        // Paths into the repository (continuo-formats/target/..., testdata/...) as seen from its root: the
        // commands run in a scratch folder.
        String rooted = REPO_PATH.matcher(command).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + root + "/" + m.group(2)));
        return rooted
                .replace("./continuo ", cli + " ")
                .replace("localhost:4040", "127.0.0.1:" + port)
                .replace("--port 4040", "--port " + port)
                .replace("-javaagent:continuo-agent.jar", "-javaagent:" + agent)
                .replaceFirst("^java ", java + " ");
    }

    private Process start(String shell, Path log, int port) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", shell).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // The CLI's and the agent's default server is localhost:4040; here it is the test's port.
        pb.environment().put("CONTINUO_SERVER", "http://127.0.0.1:" + port);
        return pb.start();
    }

    /** The files the docs' commands name: real profiles from testdata and a small real Java app. */
    private void prepareFixtures() throws IOException {
        byte[] goCpu = TestData.bytes("go119.cpu.pb.gz");
        Files.write(work.resolve("profile.pb.gz"), goCpu);
        Files.write(work.resolve("cpu.pb.gz"), goCpu);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ShortApp.class.getName());
        try (OutputStream file = Files.newOutputStream(work.resolve("app.jar"));
             JarOutputStream jar = new JarOutputStream(file, manifest)) {
            String entry = ShortApp.class.getName().replace('.', '/') + ".class";
            jar.putNextEntry(new JarEntry(entry));
            try (var in = ShortApp.class.getClassLoader().getResourceAsStream(entry)) {
                in.transferTo(jar);
            }
            jar.closeEntry();
        }
    }

    private static void awaitSelfProfile(int port, Process server) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/types?query=%7Bservice%3D%22continuo-server%22%7D&from=now-1h");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("the README's server command exited with " + server.exitValue());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"cpu\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no self-profile from the README's server command within 120 s");
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("README.md not found above " + Path.of("").toAbsolutePath());
    }

    /** The docs' {@code app.jar}: a few seconds of real work, then a normal exit. */
    public static final class ShortApp {
        public static void main(String[] args) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            long x = 0;
            while (System.nanoTime() < end) {
                x += Long.toString(x).hashCode();
            }
            System.out.println(x == 42 ? "" : "done");
            Files.write(Path.of("app-ran"), "ok".getBytes(StandardCharsets.UTF_8));
        }
    }
}
