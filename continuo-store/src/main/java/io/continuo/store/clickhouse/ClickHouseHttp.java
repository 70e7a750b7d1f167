package io.continuo.store.clickhouse;

import io.continuo.store.QueryDeadline;
import io.continuo.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;

import java.net.URI;
import java.time.Duration;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * ClickHouse's HTTP interface over java.net.http: statements and queries go in the POST body, inserts name their
 * table in the URL and send RowBinary rows as the body. A 2xx means ClickHouse executed the statement; for an INSERT it
 * means the rows are written to the table's parts. {@code wait_end_of_query=1} makes ClickHouse buffer the answer so an
 * error half way through arrives as an HTTP error, not as text appended to a 200. Any failure becomes a
 * {@link StoreException} carrying ClickHouse's own message.
 * <p>
 * Several endpoints ({@link Endpoints}): a request goes to the first live one; one that cannot be reached is skipped
 * and the next tried. Reads and DDL are retried on any transport failure (they are idempotent). An INSERT is resent
 * elsewhere only when resending cannot double it: when nothing was sent (connection refused), or on a cluster, where
 * every INSERT is one upload's deterministic block into Replicated tables, which drop a block they already hold
 * ({@link ClusterSchema}). On a cluster, reads tolerate a shard with no live replica ({@code skip_unavailable_shards};
 * the store reports such answers as partial), IN subqueries run shard-local ({@code distributed_product_mode=local}:
 * a series' rows all live on one shard), and an INSERT returns only once the shard holds the rows
 * ({@code insert_distributed_sync=1}).
 */
final class ClickHouseHttp {
    /** Error bodies are short; read at most this much of one. */
    private static final int MAX_ERROR_BYTES = 16 * 1024;

    /** Attempts of one clustered INSERT before the caller gets the error (its client then retries the upload). */
    static final int INSERT_ATTEMPTS = 4;
    private static final long RETRY_PAUSE_MS = 150;
    /**
     * ClickHouse error codes after which a clustered INSERT is worth resending: a replica or ZooKeeper unreachable
     * or read-only for a moment (NETWORK_ERROR, SOCKET_TIMEOUT, ALL_CONNECTION_TRIES_FAILED, TABLE_IS_READ_ONLY,
     * NO_ZOOKEEPER, KEEPER_EXCEPTION, UNKNOWN_STATUS_OF_INSERT, TOO_FEW_LIVE_REPLICAS, read after EOF).
     */
    private static final java.util.Set<Integer> RETRYABLE_CODES = java.util.Set.of(32, 33, 209, 210, 225, 242, 279,
            285, 286, 319, 999);

    private final ClickHouseConfig config;
    private final Endpoints endpoints;
    private final HttpClient client;
    private final String authorization;
    private final String baseQuery;
    private final String readSettings;
    private final String insertSettings;

    ClickHouseHttp(ClickHouseConfig config) {
        this(config, new Endpoints(config.urls()));
    }

    ClickHouseHttp(ClickHouseConfig config, Endpoints endpoints) {
        this.config = config;
        this.endpoints = endpoints;
        this.client = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1).build();
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (config.user() + ":" + config.password()).getBytes(StandardCharsets.UTF_8));
        // Series id lists make long queries with many literals: room for them in text and in the parsed tree.
        this.baseQuery = "?wait_end_of_query=1&max_query_size=" + config.maxQueryBytes() + "&max_ast_elements=" + config.maxQueryBytes() / 8
                + "&max_expanded_ast_elements=" + config.maxQueryBytes() / 8;
        this.readSettings = config.clustered() ? "&distributed_product_mode=local&skip_unavailable_shards=1" : "";
        this.insertSettings = config.clustered() ? "&insert_distributed_sync=1&insert_deduplicate=1" : "";
    }

    Endpoints endpoints() {
        return endpoints;
    }

    /** Runs a statement that returns nothing of interest (DDL, ALTER). */
    void execute(String sql) {
        send("", sql.getBytes(StandardCharsets.UTF_8), sql, Kind.IDEMPOTENT);
    }

    /** Runs a statement with extra URL settings ({@code &name=value...}). */
    void execute(String sql, String settings) {
        send(settings, sql.getBytes(StandardCharsets.UTF_8), sql, Kind.IDEMPOTENT);
    }

    /** Runs a query in the database; {@code sql} must end with a FORMAT clause the caller can read. */
    RowBinaryInput query(String sql) {
        byte[] body = send("&database=" + config.database() + readSettings, sql.getBytes(StandardCharsets.UTF_8), sql,
                Kind.IDEMPOTENT);
        return new RowBinaryInput(body, body.length);
    }

    /** Runs a query outside the database (which may not exist yet), e.g. on system tables. */
    RowBinaryInput querySystem(String sql) {
        byte[] body = send("", sql.getBytes(StandardCharsets.UTF_8), sql, Kind.IDEMPOTENT);
        return new RowBinaryInput(body, body.length);
    }

    /** Inserts RowBinary rows into {@code table(columns)} of the database. */
    void insert(String table, String columns, RowBinaryOutput rows) {
        if (rows.rows() == 0) {
            return;
        }
        String sql = "INSERT INTO " + config.database() + "." + table + " (" + columns + ") FORMAT RowBinary";
        send(insertSettings + "&query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8), rows.toByteArray(), sql,
                config.clustered() ? Kind.DEDUPLICATED_INSERT : Kind.INSERT);
    }

    /** What may be resent after a failure: see the class comment. */
    private enum Kind { IDEMPOTENT, DEDUPLICATED_INSERT, INSERT }

    /** A failure worth trying elsewhere (or again); carries what to tell the caller if no attempt succeeds. */
    private static final class Retryable extends RuntimeException {
        Retryable(StoreException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private byte[] send(String params, byte[] body, String sqlForErrors, Kind kind) {
        // Reads go to every endpoint once, and twice to a lone one: ClickHouse closes idle keep-alive connections
        // after a few seconds, and the client may have picked one just then.
        int attempts = kind == Kind.DEDUPLICATED_INSERT ? Math.max(INSERT_ATTEMPTS, endpoints.size())
                : kind == Kind.IDEMPOTENT ? Math.max(2, endpoints.size()) : endpoints.size();
        StoreException last = null;
        StoreException refused = null;
        int attempt = 0;
        while (attempt < attempts) {
            for (int i : endpoints.order()) {
                if (attempt++ >= attempts) {
                    break;
                }
                try {
                    byte[] answer = sendOnce(i, params, body, sqlForErrors, kind);
                    endpoints.succeeded(i);
                    return answer;
                } catch (Retryable r) {
                    last = (StoreException) r.getCause();
                    if (!last.getMessage().startsWith("cannot connect")) {
                        refused = last;
                    }
                }
                if (kind == Kind.DEDUPLICATED_INSERT && attempt < attempts) {
                    pause(RETRY_PAUSE_MS * attempt);
                }
            }
        }
        // What a reachable node said explains more than a dead node's connection refusal.
        throw refused != null ? refused : last;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting to retry ClickHouse");
        }
    }

    private byte[] sendOnce(int index, String params, byte[] body, String sqlForErrors, Kind kind) {
        URI endpoint = endpoints.get(index);
        // a query with a deadline (QueryDeadline) gets only the time it has left, so ClickHouse stops its work then
        QueryDeadline deadline = QueryDeadline.current();
        QueryDeadline.check();
        Duration limit = deadline == null || deadline.remaining().compareTo(config.queryTimeout()) > 0
                ? config.queryTimeout() : deadline.remaining();
        long seconds = Math.max(1, (limit.toMillis() + 999) / 1000);
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + baseQuery + "&max_execution_time="
                        + seconds + params))
                .timeout(deadline == null ? config.queryTimeout().plusSeconds(5) : limit.plusSeconds(1))
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            // Nothing was sent: any kind of request may go elsewhere.
            endpoints.failed(index);
            throw new Retryable(new StoreException("cannot connect to ClickHouse at " + endpoint
                    + ": connection refused"));
        } catch (HttpTimeoutException e) {
            if (QueryDeadline.isExpired()) {
                throw deadline.exception();
            }
            endpoints.failed(index);
            // A query that ran out of time would only run out of time again (elsewhere too): no second wait.
            StoreException slow = new StoreException("ClickHouse at " + endpoint + " did not answer within "
                    + config.queryTimeout().toSeconds() + " s");
            throw kind == Kind.DEDUPLICATED_INSERT ? new Retryable(slow) : slow;
        } catch (IOException e) {
            endpoints.failed(index);
            throw transportFailure(kind, new StoreException("cannot talk to ClickHouse at " + endpoint + ": " + e, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for ClickHouse");
        }
        try (InputStream in = response.body()) {
            int status = response.statusCode();
            if (status / 100 != 2) {
                String err = new String(readAtMost(in, MAX_ERROR_BYTES, false), StandardCharsets.UTF_8);
                if (QueryDeadline.isExpired()) {
                    throw deadline.exception(); // ClickHouse's TIMEOUT_EXCEEDED under our deadline
                }
                StoreException refused = new StoreException("ClickHouse refused " + summary(sqlForErrors) + " (HTTP "
                        + status + "): " + errorMessage(err));
                if (kind == Kind.DEDUPLICATED_INSERT && RETRYABLE_CODES.contains(errorCode(err))) {
                    throw new Retryable(refused);
                }
                throw refused;
            }
            return readAtMost(in, config.maxResponseBytes(), true);
        } catch (IOException e) {
            endpoints.failed(index);
            throw transportFailure(kind, new StoreException("reading ClickHouse's answer failed: " + e, e));
        }
    }

    /** A transport failure after the request may have been sent: resendable unless it is a plain INSERT. */
    private static RuntimeException transportFailure(Kind kind, StoreException e) {
        return kind == Kind.INSERT ? e : new Retryable(e);
    }

    /** The number after "Code: " in a ClickHouse error body, or -1. */
    static int errorCode(String body) {
        int at = body.indexOf("Code: ");
        if (at < 0) {
            return -1;
        }
        int i = at + 6;
        int code = 0;
        int digits = 0;
        while (i < body.length() && Character.isDigit(body.charAt(i)) && digits < 6) {
            code = code * 10 + (body.charAt(i++) - '0');
            digits++;
        }
        return digits == 0 ? -1 : code;
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
