package io.continuo.server.cli;

import picocli.CommandLine.Option;

/** Options every client command shares. */
final class ServerOptions {
    @Option(names = {"-s", "--server"}, description = "Server URL (default: ${DEFAULT-VALUE}).",
            defaultValue = "${env:CONTINUO_SERVER:-http://localhost:4040}")
    String server;

    @Option(names = "--api-key", description = "API key (default: $CONTINUO_API_KEY).", defaultValue = "${env:CONTINUO_API_KEY}")
    String apiKey;

    ApiClient client() {
        return new ApiClient(server, apiKey);
    }
}
