package io.continuo.server.http;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds what uploads hold at once, over all requests and protocols: at most {@code --max-concurrent-uploads} bodies
 * being read (so slow uploads cannot take every server thread and starve {@code /healthz} and queries), and at most
 * {@code --decode-budget} bytes being read, decompressed and decoded (so concurrent gzip bombs cannot exhaust the
 * heap). Past the slots a request gets 503 with {@code Retry-After} at once; past the budget it waits up to
 * {@code --decode-wait}, then gets the same.
 *
 * <p>What a request reserves: its body as it arrives, then a bound on what decoding it may take: a body holding gzip
 * data can inflate to at most 1032 times its size (DEFLATE's limit) and never beyond {@code --max-decompressed-size},
 * and decompression briefly holds 1.5 times its output while its buffer grows; other bodies are decoded from
 * themselves. One request may always use the whole budget, so a profile the limits accept is never refused for its
 * size alone. Everything is released when the request ends ({@link #release}, called by the app for every request).
 */
public final class UploadBudget {
    static final String ATTRIBUTE = "continuo.upload";
    static final String BUDGET = "continuo.upload-budget";
    private static final int KIB = 1024;
    private static final long GZIP_MAX_RATIO = 1032;

    private final Semaphore slots;
    private final int maxConcurrentUploads;
    private final Semaphore kibibytes;
    private final long capacityKib;
    private final long waitNanos;
    private final long maxDecompressedBytes;

    public UploadBudget(int maxConcurrentUploads, long budgetBytes, long waitMillis, long maxDecompressedBytes) {
        this.slots = new Semaphore(maxConcurrentUploads, true);
        this.maxConcurrentUploads = maxConcurrentUploads;
        this.capacityKib = Math.max(1, Math.min(Integer.MAX_VALUE, budgetBytes / KIB));
        this.kibibytes = new Semaphore((int) capacityKib, true);
        this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    /**
     * Reads the request body under the size limit (413 past it), holding an upload slot and budget for it and for its
     * decoding until the request ends.
     */
    public byte[] readBody(Context ctx, long limit) {
        Account account = account(ctx);
        if (!account.slot) {
            // no waiting for a slot: its holders are waiting on the network, and a waiting thread is one more
            // server thread held by slow clients (only slot holders ever wait, for budget, so at most
            // --max-concurrent-uploads threads are ever tied up by uploads)
            if (!slots.tryAcquire()) {
                throw ApiException.busy("server busy: " + maxConcurrentUploads
                        + " uploads are being received (--max-concurrent-uploads); retry shortly", 1);
            }
            account.slot = true;
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw ApiException.tooLarge("request body of " + declared + " bytes exceeds the limit of " + limit + " bytes");
        }
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = BoundedBody.read(in, declared, limit, bytes -> reserve(account, bytes));
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
        reserve(account, decodingBound(body) - account.bytes);
        return body;
    }

    /** Gives back what the request held; safe to call more than once and for requests that held nothing. */
    public void release(Context ctx) {
        Account account = ctx.attribute(ATTRIBUTE);
        if (account == null) {
            return;
        }
        ctx.attribute(ATTRIBUTE, null);
        if (account.kib > 0) {
            kibibytes.release((int) account.kib);
        }
        if (account.slot) {
            slots.release();
        }
    }

    /** Free budget in bytes, for metrics and tests. */
    public long availableBytes() {
        return (long) kibibytes.availablePermits() * KIB;
    }

    private long decodingBound(byte[] body) {
        if (!containsGzip(body)) {
            return body.length * 2L;
        }
        long inflated = Math.min(maxDecompressedBytes, body.length * GZIP_MAX_RATIO);
        return body.length + inflated + inflated / 2;
    }

    /**
     * The gzip member header (magic and DEFLATE method) anywhere — multipart parts and gRPC frames wrap it — or its
     * base64 form ({@code H4sI}), as Connect's JSON push carries profiles.
     */
    private static boolean containsGzip(byte[] b) {
        for (int i = 0; i + 2 < b.length; i++) {
            if (b[i] == 0x1f && (b[i + 1] & 0xff) == 0x8b && b[i + 2] == 0x08) {
                return true;
            }
            if (b[i] == 'H' && b[i + 1] == '4' && b[i + 2] == 's' && i + 3 < b.length && b[i + 3] == 'I') {
                return true;
            }
        }
        return false;
    }

    private void reserve(Account account, long bytes) {
        account.bytes += Math.max(0, bytes);
        long wantKib = Math.min(capacityKib, (account.bytes + KIB - 1) / KIB);
        long more = wantKib - account.kib;
        if (more > 0) {
            acquire(kibibytes, (int) more, "decode budget");
            account.kib = wantKib;
        }
    }

    private void acquire(Semaphore s, int permits, String what) {
        boolean ok;
        try {
            ok = s.tryAcquire(permits, waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        }
        if (!ok) {
            throw ApiException.busy("server busy: the " + what + " for uploads is in use by other requests; retry shortly", 1);
        }
    }

    private static Account account(Context ctx) {
        Account a = ctx.attribute(ATTRIBUTE);
        if (a == null) {
            a = new Account();
            ctx.attribute(ATTRIBUTE, a);
        }
        return a;
    }

    private static final class Account {
        boolean slot;
        long bytes;
        long kib;
    }
}
