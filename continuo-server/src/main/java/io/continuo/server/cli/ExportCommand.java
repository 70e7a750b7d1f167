package io.continuo.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Save a selection's merged profile as pprof (go tool pprof opens it), collapsed text or JSON.")
final class ExportCommand implements Runnable {
    @Mixin
    ServerOptions server;

    @Mixin
    QueryOptions query;

    @Option(names = {"-o", "--output"}, required = true, description = "File to write ('-' for standard output).")
    String output;

    @Option(names = "--format", description = "pprof, collapsed or json (default: ${DEFAULT-VALUE}).", defaultValue = "pprof")
    String format;

    @Override
    public void run() {
        if (!format.equals("pprof") && !format.equals("collapsed") && !format.equals("json")) {
            throw new CliException(Main.EXIT_USAGE, "invalid --format '" + format + "': expected pprof, collapsed or json");
        }
        ApiClient client = server.client();
        Map<String, String> params = query.params(client);
        params.put("format", format);
        byte[] body = client.get("/api/v1/query/flamegraph", params);
        try {
            if (output.equals("-")) {
                System.out.write(body);
                System.out.flush();
            } else {
                Files.write(Path.of(output), body);
                System.err.println("wrote " + body.length + " bytes to " + output);
            }
        } catch (IOException e) {
            throw new CliException(Main.EXIT_USAGE, "cannot write " + output + ": " + e.getMessage());
        }
    }
}
