package io.continuo.server.cli;

import io.continuo.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server's flags become one validated config; a wrong value is refused with the flag's name. */
class ServerConfigTest {
    @TempDir
    Path dir;

    private static ServerConfig parse(String... args) {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }

    @Test
    void defaultsAreTyped() {
        ServerConfig c = parse();
        assertThat(c.port()).isEqualTo(4040);
        assertThat(c.maxBodyBytes()).isEqualTo(32L << 20);
        assertThat(c.maxDecompressedBytes()).isEqualTo(256L << 20);
        assertThat(c.storeMemoryLimitBytes()).isEqualTo(1L << 30);
        assertThat(c.storage().engine()).isEqualTo(ServerConfig.Engine.DUCKDB);
        assertThat(c.queryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.defaultRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(c.metricsPublic()).isFalse();
        assertThat(c.minRequestDataRate()).isEqualTo(1024);
        assertThat(c.decodeBudgetBytes()).isPositive();
    }

    @Test
    void everyFlagIsReadIntoItsTypedValue() {
        ServerConfig c = parse("--port", "0", "--max-body-size", "1.5MB", "--max-decompressed-size", "64MiB",
                "--memory-limit", "512m", "--storage", "clickhouse", "--query-timeout", "250ms", "--retention", "7d",
                "--retention-type", "cpu=2h", "--metrics-public", "--decode-budget", "300MB", "--decode-wait", "1s",
                "--max-concurrent-uploads", "8", "--min-request-rate", "0", "--idle-timeout", "1m", "--header-timeout", "5s");
        assertThat(c.maxBodyBytes()).isEqualTo(3L << 19);
        assertThat(c.maxDecompressedBytes()).isEqualTo(64L << 20);
        assertThat(c.storeMemoryLimitBytes()).isEqualTo(512L << 20);
        assertThat(c.storage().isClickHouse()).isTrue();
        assertThat(c.queryTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.retentionOf("cpu")).isEqualTo(Duration.ofHours(2));
        assertThat(c.retentionOf("wall")).isEqualTo(Duration.ofDays(7));
        assertThat(c.metricsPublic()).isTrue();
        assertThat(c.decodeBudgetBytes()).isEqualTo(300L << 20);
        assertThat(c.maxConcurrentUploads()).isEqualTo(8);
        assertThat(c.minRequestDataRate()).isZero();
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void wrongValuesNameTheirFlag() {
        assertThatThrownBy(() -> parse("--max-body-size", "-5MB")).hasMessageContaining("--max-body-size").hasMessageContaining("-5MB");
        assertThatThrownBy(() -> parse("--memory-limit", "lots")).hasMessageContaining("--memory-limit");
        assertThatThrownBy(() -> parse("--storage", "mysql")).hasMessageContaining("--storage").hasMessageContaining("mysql");
        assertThatThrownBy(() -> parse("--query-timeout", "-1s")).hasMessageContaining("--query-timeout");
        assertThatThrownBy(() -> parse("--query-timeout", "0")).hasMessageContaining("--query-timeout");
        assertThatThrownBy(() -> parse("--retention", "soon")).hasMessageContaining("--retention");
        assertThatThrownBy(() -> parse("--retention-type", "cpu=-1d")).hasMessageContaining("--retention-type cpu");
        assertThatThrownBy(() -> parse("--port", "70000")).hasMessageContaining("--port");
        assertThatThrownBy(() -> parse("--max-body-size", "64MB", "--max-decompressed-size", "1MB"))
                .hasMessageContaining("--max-decompressed-size");
        assertThatThrownBy(() -> parse("--max-concurrent-uploads", "0")).hasMessageContaining("--max-concurrent-uploads");
        assertThatThrownBy(() -> parse("--ingest-rate", "-1")).hasMessageContaining("--ingest-rate");
    }

    @Test
    void apiKeysComeFromFlagsAFileAndTheEnvironment() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# operators\nops-key\n\n  teamA-key:teamA  \n# end\n");
        Map<String, String> keys = ApiKeySources.collect(List.of("dev:teamD"), file, "envkey1, envkey2:teamE");
        assertThat(keys).containsExactlyInAnyOrderEntriesOf(Map.of("dev", "teamD", "ops-key", "", "teamA-key", "teamA",
                "envkey1", "", "envkey2", "teamE"));
        assertThat(parse("--api-keys-file", file.toString()).apiKeys()).containsEntry("teamA-key", "teamA");
        assertThatThrownBy(() -> ApiKeySources.collect(List.of(), dir.resolve("missing"), null))
                .hasMessageContaining("--api-keys-file");
        Files.writeString(file, "k:bad tenant!\n");
        assertThatThrownBy(() -> ApiKeySources.collect(List.of(), file, null)).hasMessageContaining("line 1");
        assertThatThrownBy(() -> ApiKeySources.collect(List.of("k:a", "k:b"), null, null)).hasMessageContaining("two tenants");
    }

    @Test
    void theConfigNeverPrintsItsKeys() {
        assertThat(ServerConfig.defaults().withApiKeys(Map.of("s3cret", "t")).toString()).doesNotContain("s3cret");
    }
}
