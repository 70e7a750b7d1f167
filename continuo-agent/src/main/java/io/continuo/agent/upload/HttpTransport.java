package io.continuo.agent.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.time.Duration;

/**
 * HttpURLConnection rather than java.net.http.HttpClient: no selector thread of its own, nothing
 * to shut down, and it speaks HTTPS. Every call is bounded by the connect and read timeouts.
 */
public final class HttpTransport implements Transport {
    private static final int MAX_ERROR_BODY = 4096;

    private final String base;
    private final int timeoutMillis;
    private final String authorization;
    private final String tenant;

    public HttpTransport(URI server, Duration timeout, String apiKey, String tenant) {
        this.base = server.toString();
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        this.authorization = apiKey == null || apiKey.isEmpty() ? null : "Bearer " + apiKey;
        this.tenant = tenant == null || tenant.isEmpty() ? null : tenant;
    }

    @Override
    public int send(Payload p) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(base + p.pathAndQuery).openConnection();
        try {
            c.setRequestMethod("POST");
            c.setConnectTimeout(timeoutMillis);
            c.setReadTimeout(timeoutMillis);
            c.setDoOutput(true);
            c.setUseCaches(false);
            c.setFixedLengthStreamingMode(p.body.length);
            c.setRequestProperty("Content-Type", p.contentType);
            c.setRequestProperty("User-Agent", "continuo-agent");
            if (authorization != null) c.setRequestProperty("Authorization", authorization);
            if (tenant != null) c.setRequestProperty("X-Scope-OrgID", tenant);
            try (OutputStream os = c.getOutputStream()) {
                os.write(p.body);
            }
            int status = c.getResponseCode();
            // Drain the body so the connection can be kept alive and reused.
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            if (in != null) {
                try (in) {
                    byte[] skip = new byte[1024];
                    int total = 0;
                    int n;
                    while (total < MAX_ERROR_BODY && (n = in.read(skip)) > 0) total += n;
                }
            }
            return status;
        } catch (IOException e) {
            c.disconnect();
            throw e;
        }
    }
}
