package io.continuo.server.it;

import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import io.continuo.server.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** continuo push | query | export against a real server; readable errors and exit codes. */
class CliTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path work;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void pushQueryAndExport() throws Exception {
        Path file = work.resolve("cpu.pb.gz");
        Files.write(file, TestData.bytes("go119.cpu.pb.gz"));
        try (TestServer server = new TestServer(dataDir)) {
            Run push = run("push", file.toString(), "--server", server.base(), "--service", "cli-app", "-l", "env=prod");
            assertThat(push.exit()).as(push.err()).isZero();
            assertThat(push.out()).contains("\"rows\"");

            Run query = run("query", "--server", server.base(), "--query", "{service=\"cli-app\"}", "--limit", "3");
            assertThat(query.exit()).as(query.err()).isZero();
            assertThat(query.out()).contains("crypto/sha256.block", "total 3.22 s");

            Path out = work.resolve("export.pb.gz");
            Run export = run("export", "--server", server.base(), "--query", "{service=\"cli-app\"}", "-o", out.toString());
            assertThat(export.exit()).as(export.err()).isZero();
            io.continuo.model.Profile exported = io.continuo.formats.pprof.PprofReader.read(Files.readAllBytes(out));
            // the export carries Go's samples/count first and cpu last (pprof tools show the last by default)
            assertThat(exported.total(exported.typeIndex("cpu")) / 10_000_000).isEqualTo(322);
            assertThat(exported.total(exported.typeIndex("samples"))).isEqualTo(322);

            Run badSelector = run("query", "--server", server.base(), "--query", "{service=cli-app}");
            assertThat(badSelector.exit()).isEqualTo(Main.EXIT_SERVER_ERROR);
            assertThat(badSelector.err()).contains("400").contains("position");
        }
    }

    @Test
    void readableErrorsAndExitCodes() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("server", "push", "query", "export");
        Run missing = run("push", work.resolve("nope.pb").toString(), "--service", "x", "--server", "http://127.0.0.1:1");
        assertThat(missing.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(missing.err()).contains("cannot read").contains("no such file");
        Run unreachable = run("query", "--server", "http://127.0.0.1:1");
        assertThat(unreachable.exit()).isEqualTo(Main.EXIT_UNREACHABLE);
        assertThat(unreachable.err()).contains("cannot reach").contains("connection refused").doesNotContain("null");
        Run unknownOption = run("server", "--bogus");
        assertThat(unknownOption.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(unknownOption.err()).contains("--bogus");
    }

    @Test
    void usageErrorsExitTwoAndNameTheProblem() {
        Run none = run();
        assertThat(none.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(none.err()).contains("Usage: continuo", "a command is required");
        // The typo is named, not the required option it pushed aside.
        Run typo = run("push", "--servce", "shop", "file.pb");
        assertThat(typo.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(typo.err()).contains("--servce").contains("continuo push --help");
        Run unknownCommand = run("serve");
        assertThat(unknownCommand.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(unknownCommand.err()).contains("serve");
    }

    @Test
    void typeDefaultsToOneTheSelectionHasAndAnUnknownTypeIsAnError() throws Exception {
        Path wallOnly = work.resolve("wall.txt");
        Files.writeString(wallOnly, "main;work;spin 70\nmain;idle 30\n");
        try (TestServer server = new TestServer(dataDir)) {
            Run push = run("push", wallOnly.toString(), "--server", server.base(), "--service", "node-app",
                    "--format", "collapsed", "--type", "wall");
            assertThat(push.exit()).as(push.err()).isZero();

            Run query = run("query", "--server", server.base(), "--query", "{service=\"node-app\"}");
            assertThat(query.exit()).as(query.err()).isZero();
            assertThat(query.out()).contains("type wall").contains("spin");

            Run mistyped = run("query", "--server", server.base(), "--query", "{service=\"node-app\"}", "--type", "cpuu");
            assertThat(mistyped.exit()).isEqualTo(Main.EXIT_USAGE);
            assertThat(mistyped.err()).contains("no 'cpuu' profiles").contains("types with data: wall");
        }
    }
}
