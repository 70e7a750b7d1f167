package io.continuo.store.clickhouse;

import io.continuo.store.QueryDeadline;
import io.continuo.store.QueryTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** A query under a deadline gets only the time it has left: ClickHouse stops it (max_execution_time). */
@ExtendWith(ClickHouseServer.class)
class ClickHouseDeadlineTest {
    @Test
    void aLongQueryStopsAtTheDeadline() {
        ClickHouseHttp http = new ClickHouseHttp(ClickHouseConfig.builder(ClickHouseServer.url()).database("system").build());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                try (QueryDeadline ignored = QueryDeadline.open(Duration.ofSeconds(1), scheduler)) {
                    // minutes of work for ClickHouse without a limit
                    assertThatThrownBy(() -> http.query("SELECT sum(number % 7) FROM system.numbers LIMIT 100000000000 FORMAT RowBinary"))
                            .isInstanceOf(QueryTimeoutException.class).hasMessageContaining("--query-timeout");
                }
            });
            // without a deadline the same client still answers
            assertThat(http.query("SELECT 1 FORMAT RowBinary")).isNotNull();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
