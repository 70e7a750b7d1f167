package io.continuo.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body but never more than the configured limit: past it the client gets a 413. */
public final class BoundedBody {
    private BoundedBody() {
    }

    public static byte[] read(InputStream in, long declaredLength, long limit) {
        if (declaredLength > limit) {
            throw ApiException.tooLarge("request body of " + declaredLength + " bytes exceeds the limit of " + limit + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) declaredLength : 8192);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw ApiException.tooLarge("request body exceeds the limit of " + limit + " bytes");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
        return out.toByteArray();
    }
}
