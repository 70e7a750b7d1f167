package io.continuo.agent.upload;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal HTTP/1.1 client on a plain (or TLS) socket, so uploads are invisible to tracing agents: the
 * OpenTelemetry Java agent instruments HttpURLConnection and java.net.http.HttpClient, which would turn
 * every upload into a client span in the app's telemetry, but not raw sockets. One connection is kept
 * alive and reused; a reused connection that fails before any response byte arrives (the server closed
 * it while idle) is replaced and the request sent once more. HTTPS verifies the server's certificate
 * and host name like HttpsURLConnection (default trust store, endpoint identification "HTTPS").
 *
 * <p>When the JVM is configured with an HTTP(S) proxy for the server's URL, requests go through
 * {@link HttpTransport} instead, which honours it (and is traced, as any HttpURLConnection).
 */
public final class SocketTransport implements Transport {
    private static final int MAX_DRAIN = 64 * 1024;
    private static final int MAX_LINE = 8 * 1024;

    private final URI server;
    private final boolean tls;
    private final String host;
    private final int port;
    private final String hostHeader;
    private final String pathPrefix;
    private final int timeoutMillis;
    private final String authorization;
    private final String tenant;
    private final HttpTransport viaProxy;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public SocketTransport(URI server, Duration timeout, String apiKey, String tenant) {
        this.server = server;
        String scheme = server.getScheme() == null ? "http" : server.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) throw new IllegalArgumentException("not http(s): " + server);
        this.tls = scheme.equals("https");
        String h = server.getHost();
        if (h == null) throw new IllegalArgumentException("no host in " + server);
        this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        int defaultPort = tls ? 443 : 80;
        this.port = server.getPort() < 0 ? defaultPort : server.getPort();
        this.hostHeader = port == defaultPort ? h : h + ":" + port;
        String path = server.getRawPath() == null ? "" : server.getRawPath();
        this.pathPrefix = path;
        this.timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        this.authorization = apiKey == null || apiKey.isEmpty() ? null : "Bearer " + apiKey;
        this.tenant = tenant == null || tenant.isEmpty() ? null : tenant;
        this.viaProxy = new HttpTransport(server, timeout, apiKey, tenant);
    }

    @Override
    public int send(Payload p) throws IOException {
        if (proxied()) {
            close();
            return viaProxy.send(p);
        }
        boolean reused = socket != null;
        try {
            return exchange(p);
        } catch (StaleConnectionException e) {
            close();
            if (!reused) throw e;
            return exchange(p);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private boolean proxied() {
        try {
            ProxySelector ps = ProxySelector.getDefault();
            if (ps == null) return false;
            List<Proxy> proxies = ps.select(server);
            return proxies != null && !proxies.isEmpty() && proxies.get(0).type() != Proxy.Type.DIRECT;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private int exchange(Payload p) throws IOException {
        if (socket == null) connect();
        StringBuilder head = new StringBuilder(256)
                .append("POST ").append(pathPrefix).append(p.pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("User-Agent: continuo-agent\r\n")
                .append("Content-Type: ").append(p.contentType).append("\r\n")
                .append("Content-Length: ").append(p.body.length).append("\r\n");
        if (authorization != null) head.append("Authorization: ").append(authorization).append("\r\n");
        if (tenant != null) head.append("X-Scope-OrgID: ").append(tenant).append("\r\n");
        head.append("\r\n");
        try {
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(p.body);
            out.flush();
        } catch (IOException e) {
            throw new StaleConnectionException(e);
        }
        Response r = readResponse();
        if (!r.keepAlive) close();
        return r.status;
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            if (tls) {
                SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(s, host, port, true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
                ssl.startHandshake();
                s = ssl;
            }
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw e;
        }
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 8192);
        out = new BufferedOutputStream(s.getOutputStream(), 16384);
    }

    private void close() {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    private static final class Response {
        int status;
        boolean keepAlive;
    }

    private Response readResponse() throws IOException {
        Response r = new Response();
        while (true) {
            String statusLine = readLine(in, true);
            // "HTTP/1.1 204 No Content"
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("bad status line: " + statusLine);
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("bad status line: " + statusLine);
            }
            boolean http10 = parts[0].equals("HTTP/1.0");
            long contentLength = -1;
            boolean chunked = false;
            boolean close = http10;
            String line;
            while (!(line = readLine(in, false)).isEmpty()) {
                int colon = line.indexOf(':');
                if (colon <= 0) continue;
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                if (name.equals("content-length")) {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException("bad content-length: " + value);
                    }
                } else if (name.equals("transfer-encoding")) {
                    chunked = value.contains("chunked");
                } else if (name.equals("connection")) {
                    if (value.contains("close")) close = true;
                    else if (value.contains("keep-alive")) close = false;
                }
            }
            if (status >= 100 && status < 200) continue; // interim response; the real one follows
            r.status = status;
            boolean complete;
            if (status == 204 || status == 304) {
                complete = true;
            } else if (chunked) {
                complete = drainChunked();
            } else if (contentLength >= 0) {
                complete = contentLength <= MAX_DRAIN && skip(contentLength);
            } else {
                complete = false; // body runs to end of stream: the connection cannot be reused
            }
            r.keepAlive = complete && !close;
            return r;
        }
    }

    private boolean skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long k = in.skip(left);
            if (k <= 0) {
                if (in.read() < 0) throw new EOFException("response body cut short");
                k = 1;
            }
            left -= k;
        }
        return true;
    }

    private boolean drainChunked() throws IOException {
        long total = 0;
        while (true) {
            String sizeLine = readLine(in, false);
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + sizeLine);
            }
            if (size == 0) {
                while (!readLine(in, false).isEmpty()) {
                    // trailers
                }
                return true;
            }
            total += size;
            if (total > MAX_DRAIN) return false;
            skip(size);
            readLine(in, false); // CRLF after the chunk
        }
    }

    /** One CRLF- (or LF-) terminated line; the first line of a response marks a dead kept-alive connection. */
    private static String readLine(InputStream in, boolean first) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c;
            try {
                c = in.read();
            } catch (java.net.SocketTimeoutException e) {
                throw e;
            } catch (java.net.SocketException e) {
                // Reset by the peer before any byte of the response: the idle connection was dead.
                if (first && sb.length() == 0) throw new StaleConnectionException(e);
                throw e;
            }
            if (c < 0) {
                if (first && sb.length() == 0) throw new StaleConnectionException(new EOFException("connection closed"));
                throw new EOFException("connection closed mid-response");
            }
            if (c == '\n') break;
            if (c != '\r') sb.append((char) c);
            if (sb.length() > MAX_LINE) throw new IOException("response line too long");
        }
        return sb.toString();
    }

    /** Nothing of a response arrived: on a reused connection the request is sent again once. */
    private static final class StaleConnectionException extends IOException {
        StaleConnectionException(IOException cause) { super(cause.toString(), cause); }
    }
}
