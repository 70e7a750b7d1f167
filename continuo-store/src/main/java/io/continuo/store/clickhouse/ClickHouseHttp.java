package io.continuo.store.clickhouse;

import io.continuo.store.QueryDeadline;
import io.continuo.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import io.continuo.store.QueryDeadline;

import java.net.URI;
import java.time.Duration;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

/**
 * ClickHouse's HTTP interface over java.net.http: statements and queries go in the POST body, inserts name their
 * table in the URL and send RowBinary rows as the body. A 2xx means ClickHouse executed the statement; for an INSERT it
 * means the rows are written to the table's parts. {@code wait_end_of_query=1} makes ClickHouse buffer the answer so an
 * error half way through arrives as an HTTP error, not as text appended to a 200. Any failure becomes a
 * {@link StoreException} carrying ClickHouse's own message.
 */
final class ClickHouseHttp {
    /** Error bodies are short; read at most this much of one. */
    private static final int MAX_ERROR_BYTES = 16 * 1024;

    private final ClickHouseConfig config;
    private final HttpClient client;
    private final String authorization;
    private final String baseQuery;

    ClickHouseHttp(ClickHouseConfig config) {
        this.config = config;
        this.client = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1).build();
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (config.user() + ":" + config.password()).getBytes(StandardCharsets.UTF_8));
        // Series id lists make long queries with many literals: room for them in text and in the parsed tree.
        this.baseQuery = "?wait_end_of_query=1&max_query_size=" + config.maxQueryBytes() + "&max_ast_elements=" + config.maxQueryBytes() / 8
                + "&max_expanded_ast_elements=" + config.maxQueryBytes() / 8;
    }

    /** Runs a statement that returns nothing of interest (DDL, ALTER). */
    void execute(String sql) {
        send("", sql.getBytes(StandardCharsets.UTF_8), sql);
    }

    /** Runs a query in the database; {@code sql} must end with a FORMAT clause the caller can read. */
    RowBinaryInput query(String sql) {
        byte[] body = send("&database=" + config.database(), sql.getBytes(StandardCharsets.UTF_8), sql);
        return new RowBinaryInput(body, body.length);
    }

    /** Inserts RowBinary rows into {@code table(columns)} of the database. */
    void insert(String table, String columns, RowBinaryOutput rows) {
        if (rows.rows() == 0) {
            return;
        }
        String sql = "INSERT INTO " + config.database() + "." + table + " (" + columns + ") FORMAT RowBinary";
        send("&query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8), rows.toByteArray(), sql);
    }

    private byte[] send(String params, byte[] body, String sqlForErrors) {
        // a query with a deadline (QueryDeadline) gets only the time it has left, so ClickHouse stops its work then
        QueryDeadline deadline = QueryDeadline.current();
        QueryDeadline.check();
        Duration limit = deadline == null || deadline.remaining().compareTo(config.queryTimeout()) > 0
                ? config.queryTimeout() : deadline.remaining();
        long seconds = Math.max(1, (limit.toMillis() + 999) / 1000);
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.url() + baseQuery + "&max_execution_time="
                        + seconds + params))
                .timeout(deadline == null ? config.queryTimeout().plusSeconds(5) : limit.plusSeconds(1))
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new StoreException("cannot connect to ClickHouse at " + config.url() + ": connection refused");
        } catch (HttpTimeoutException e) {
            if (QueryDeadline.isExpired()) {
                throw deadline.exception();
            }
            throw new StoreException("ClickHouse at " + config.url() + " did not answer within "
                    + config.queryTimeout().toSeconds() + " s");
        } catch (IOException e) {
            throw new StoreException("cannot talk to ClickHouse at " + config.url() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for ClickHouse");
        }
        try (InputStream in = response.body()) {
            int status = response.statusCode();
            if (status / 100 != 2) {
                byte[] err = readAtMost(in, MAX_ERROR_BYTES, false);
                if (QueryDeadline.isExpired()) {
                    throw deadline.exception(); // ClickHouse's TIMEOUT_EXCEEDED under our deadline
                }
                throw new StoreException("ClickHouse refused " + summary(sqlForErrors) + " (HTTP " + status + "): "
                        + errorMessage(new String(err, StandardCharsets.UTF_8)));
            }
            return readAtMost(in, config.maxResponseBytes(), true);
        } catch (IOException e) {
            throw new StoreException("reading ClickHouse's answer failed: " + e, e);
        }
    }

    /** Reads the body; past {@code limit} it either fails (answers) or truncates (error texts). */
    private static byte[] readAtMost(InputStream in, long limit, boolean failWhenOver) throws IOException {
        byte[] buf = new byte[(int) Math.min(8192, limit)];
        int n = 0;
        while (true) {
            if (n == buf.length) {
                if (n >= limit) {
                    if (in.read() < 0) {
                        return buf;
                    }
                    if (failWhenOver) {
                        throw new StoreException("ClickHouse answer larger than maxResponseBytes=" + limit
                                + " bytes; narrow the query (shorter range, more specific selector)");
                    }
                    return buf;
                }
                buf = Arrays.copyOf(buf, (int) Math.min(limit, Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                return Arrays.copyOf(buf, n);
            }
            n += r;
        }
    }

    /** ClickHouse 18.16: "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., e.what() = DB::Exception". */
    static String errorMessage(String body) {
        String m = body.strip();
        m = m.replace("e.displayText() = ", "");
        int what = m.indexOf(", e.what() = ");
        if (what >= 0) {
            m = m.substring(0, what);
        }
        int stack = m.indexOf("\nStack trace:");
        if (stack >= 0) {
            m = m.substring(0, stack);
        }
        return m.isEmpty() ? "(no message)" : m;
    }

    private static String summary(String sql) {
        String s = sql.strip().replaceAll("\\s+", " ");
        return s.length() <= 120 ? "'" + s + "'" : "'" + s.substring(0, 120) + "...'";
    }
}
