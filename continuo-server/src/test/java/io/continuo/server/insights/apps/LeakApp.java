package io.continuo.server.insights.apps;

import java.util.ArrayList;
import java.util.List;

/**
 * A shop whose session cache never evicts. Requests encode JSON and read rows (garbage only); from second
 * {@code leakFrom} on, every request also stores its session in {@link SessionCache}, about 1 MB/s that stays.
 * Arguments: seconds to run, second the leak starts.
 */
public final class LeakApp {
    public static void main(String[] args) throws Exception {
        long start = System.currentTimeMillis();
        Load.start(32);
        double leakFrom = Double.parseDouble(args[1]);
        Load.paced(start, Double.parseDouble(args[0]), second -> ShopHandler.handle(second >= leakFrom));
    }
}

final class ShopHandler {
    private ShopHandler() {
    }

    static void handle(boolean cacheSessions) {
        byte[] body = ShopJson.encode(10_000_000);
        Load.keep(ShopRows.read(8_000_000));
        if (cacheSessions) {
            SessionCache.put(body);
        }
    }
}

final class SessionCache {
    private static final List<byte[]> SESSIONS = new ArrayList<>();

    private SessionCache() {
    }

    /** Keeps a 100 KB copy of the session, forever. */
    static void put(byte[] request) {
        byte[] session = new byte[100 * 1024];
        System.arraycopy(request, 0, session, 0, Math.min(request.length, session.length));
        synchronized (SESSIONS) {
            SESSIONS.add(session);
        }
    }
}

final class ShopJson {
    private ShopJson() {
    }

    static byte[] encode(long nanos) {
        byte[] out = new byte[128 * 1024];
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 29;
            }
        } while (Load.cpu() < end);
        out[0] = (byte) x;
        return out;
    }
}

final class ShopRows {
    private ShopRows() {
    }

    static Object read(long nanos) {
        long[] rows = new long[8 * 1024];
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 31;
            }
        } while (Load.cpu() < end);
        rows[0] = x;
        return rows;
    }
}
