package io.continuo.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Upload a profile file (pprof, JFR or collapsed) to the server.")
final class PushCommand implements Runnable {
    @Mixin
    ServerOptions server;

    @Parameters(index = "0", description = "The profile file.")
    Path file;

    @Option(names = "--service", required = true, description = "Service name to store the profile under.")
    String service;

    @Option(names = "--format", description = "pprof, jfr, collapsed (default: detected from the content).")
    String format;

    @Option(names = {"-l", "--label"}, description = "Label k=v (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--type", description = "Profile type of a collapsed file (default: ${DEFAULT-VALUE}).", defaultValue = "cpu")
    String type;

    @Option(names = "--from", description = "Start of the profiled window.")
    String from;

    @Option(names = "--until", description = "End of the profiled window.")
    String until;

    @Override
    public void run() {
        byte[] body;
        try {
            body = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CliException(Main.EXIT_USAGE, "cannot read " + file + ": no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new CliException(Main.EXIT_USAGE, "cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new CliException(Main.EXIT_USAGE, "cannot read " + file + ": " + ApiClient.reason(e));
        }
        Map<String, String> params = new LinkedHashMap<>(labels);
        params.put("service", service);
        params.put("format", format);
        params.put("type", type);
        params.put("from", from);
        params.put("until", until);
        byte[] answer = server.client().post("/api/v1/ingest", params, body, "application/octet-stream");
        System.out.println(new String(answer, StandardCharsets.UTF_8));
    }
}
