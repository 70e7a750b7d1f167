package io.continuo.store.duckdb;

import io.continuo.store.QueryDeadline;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** A reader's statement is cancelled inside DuckDB when the thread's query deadline passes. */
class CancellableConnectionTest {
    /** Hours of work for DuckDB: only a cancel ends it within the test's bound. */
    private static final String ENDLESS = "SELECT sum((a.i * b.i) % 7) FROM range(100000000) a(i), range(100000000) b(i)";

    @Test
    void aRunningQueryIsCancelledAtTheDeadline() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (Connection raw = DriverManager.getConnection("jdbc:duckdb:")) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                try (QueryDeadline deadline = QueryDeadline.open(Duration.ofMillis(300), scheduler)) {
                    Connection c = CancellableConnection.wrap(raw, deadline);
                    assertThatThrownBy(() -> {
                        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(ENDLESS)) {
                            rs.next();
                        }
                    }).isInstanceOf(SQLException.class);
                    assertThat(QueryDeadline.isExpired()).isTrue();
                }
            });
            assertThat(QueryDeadline.current()).as("closed deadlines unbind from the thread").isNull();
            try (Statement st = raw.createStatement(); ResultSet rs = st.executeQuery("SELECT 42")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("the connection still works after the cancel").isEqualTo(42);
            }
        } finally {
            scheduler.shutdownNow();
        }
    }
}
