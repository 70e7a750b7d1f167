package io.continuo.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

import org.eclipse.jetty.http.BadMessageException;

/** Reads a request body but never more than the configured limit: past it the client gets a 413. */
public final class BoundedBody {
    private static final int BUFFER = 64 * 1024;

    private BoundedBody() {
    }

    /**
     * The request's body under {@code limit}, within the server's {@link UploadBudget} (an upload slot and memory for
     * the body and its decoding, held until the request ends); a 503 when the server is too busy to take it now.
     */
    public static byte[] read(io.javalin.http.Context ctx, long limit) {
        UploadBudget budget = ctx.attribute(UploadBudget.BUDGET);
        if (budget != null) {
            return budget.readBody(ctx, limit);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            return read(in, ctx.req().getContentLengthLong(), limit);
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    public static byte[] read(InputStream in, long declaredLength, long limit) {
        return read(in, declaredLength, limit, bytes -> { });
    }

    /**
     * @param reserve told of every chunk's size before it is kept (it may throw to refuse it), so memory is accounted
     *                as the body arrives, not after
     */
    static byte[] read(InputStream in, long declaredLength, long limit, LongConsumer reserve) {
        if (declaredLength > limit) {
            throw ApiException.tooLarge("request body of " + declaredLength + " bytes exceeds the limit of " + limit + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) Math.min(declaredLength, BUFFER) : 8192);
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw ApiException.tooLarge("request body exceeds the limit of " + limit + " bytes");
                }
                // the buffer may double when it grows: account for that copy too
                reserve.accept(n * 2L);
                out.write(buffer, 0, n);
            }
        } catch (BadMessageException e) {
            // Jetty's minimum data rate (--min-request-rate): the body arrives too slowly
            throw new ApiException(e.getCode(), "request body cut: " + e.getReason()
                    + " (a body must arrive at --min-request-rate or faster)");
        } catch (IOException e) {
            if (e.getCause() instanceof java.util.concurrent.TimeoutException || e instanceof java.io.InterruptedIOException) {
                throw new ApiException(408, "request body stalled: nothing arrived within the idle timeout (--idle-timeout)");
            }
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
        return out.toByteArray();
    }
}
