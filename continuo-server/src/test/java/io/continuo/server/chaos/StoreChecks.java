package io.continuo.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** What the chaos tests assert against a running server: the ledger's bounds and flame graph = time series. */
final class StoreChecks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private StoreChecks() {
    }

    static HttpResponse<String> get(String base, String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(60))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The flame-graph total of a selector, asserting it equals the time-series total of the same selector. */
    static long consistentTotal(String base, long from, long until, String selector)
            throws IOException, InterruptedException {
        String q = "&from=" + from + "&until=" + until + "&query=" + URLEncoder.encode(selector, StandardCharsets.UTF_8);
        HttpResponse<String> flame = get(base, "/api/v1/query/flamegraph?type=cpu&maxNodes=16" + q);
        assertThat(flame.statusCode()).as("flame graph of " + selector + ": " + flame.body()).isEqualTo(200);
        long flameTotal = JSON.readTree(flame.body()).path("total").asLong();
        HttpResponse<String> series = get(base, "/api/v1/query/timeseries?type=cpu&step=" + ((until - from) / 1000)
                + q);
        assertThat(series.statusCode()).as("time series of " + selector + ": " + series.body()).isEqualTo(200);
        double seriesTotal = 0;
        for (JsonNode s : JSON.readTree(series.body()).path("series")) {
            for (JsonNode p : s.path("points")) {
                seriesTotal += p.get(1).asDouble();
            }
        }
        assertThat((long) seriesTotal).as("time-series total = flame-graph total for " + selector)
                .isEqualTo(flameTotal);
        return flameTotal;
    }

    /** acknowledged <= stored <= acknowledged + in flight, and every uploader's flame graph = its time series. */
    static void assertLedger(String base, Uploaders u, String when) throws IOException, InterruptedException {
        long from = u.base - 3_600_000L;
        long until = System.currentTimeMillis() + 24 * 3_600_000L;
        long stored = consistentTotal(base, from, until, "{service=\"chaos\"}");
        long acknowledged = u.acknowledged.get();
        assertThat(stored).as(when + ": stored >= acknowledged (answers " + u.statuses + ")")
                .isGreaterThanOrEqualTo(acknowledged);
        assertThat(stored).as(when + ": stored <= acknowledged + in flight (answers " + u.statuses + ")")
                .isLessThanOrEqualTo(acknowledged + u.inFlight.get());
        for (int i = 0; i < Uploaders.UPLOADERS; i++) {
            long mine = consistentTotal(base, from, until, "{service=\"chaos\",uploader=\"u" + i + "\"}");
            synchronized (u.acknowledgedBy) {
                assertThat(mine).as(when + ": uploader u" + i).isGreaterThanOrEqualTo(u.acknowledgedBy[i]);
            }
        }
    }
}
