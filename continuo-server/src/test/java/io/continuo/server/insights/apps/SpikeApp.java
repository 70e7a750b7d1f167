package io.continuo.server.insights.apps;

/**
 * An API with steady light traffic; from second {@code spikeFrom} for {@code spikeSeconds}, a report export runs
 * on two threads that together spend half a core in {@link ReportExporter#render}. Two threads, not one, so the burst
 * still reads as one even on a saturated machine, where JFR samples every runnable thread as running and a
 * reading tends to the number of busy threads (1 -> 3 here) rather than their CPU time.
 * Arguments: seconds to run, second the export starts, its length in seconds.
 */
public final class SpikeApp {
    private static final int EXPORT_THREADS = 2;

    public static void main(String[] args) throws Exception {
        long start = System.currentTimeMillis();
        Load.start(32);
        double spikeFrom = Double.parseDouble(args[1]);
        double spikeSeconds = Double.parseDouble(args[2]);
        Thread[] exports = new Thread[EXPORT_THREADS];
        for (int t = 0; t < EXPORT_THREADS; t++) {
            exports[t] = new Thread(() -> {
                try {
                    Thread.sleep((long) (spikeFrom * 1000) - (System.currentTimeMillis() - start));
                    long exportStart = System.currentTimeMillis();
                    Load.paced(exportStart, spikeSeconds,
                            second -> Load.keep(ReportExporter.render(50_000_000 / EXPORT_THREADS)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "report-export-" + t);
            exports[t].start();
        }
        Load.paced(start, Double.parseDouble(args[0]), second -> Router.route());
        for (Thread export : exports) {
            export.join();
        }
    }
}

final class Router {
    private Router() {
    }

    static void route() {
        Load.keep(ApiHandler.lookup(11_000_000));
        Load.keep(ApiJson.encode(8_000_000));
    }
}

final class ReportExporter {
    private ReportExporter() {
    }

    static long render(long nanos) {
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 29;
            }
        } while (Load.cpu() < end);
        return x;
    }
}

final class ApiHandler {
    private ApiHandler() {
    }

    static long lookup(long nanos) {
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 31;
            }
        } while (Load.cpu() < end);
        return x;
    }
}

final class ApiJson {
    private ApiJson() {
    }

    static Object encode(long nanos) {
        byte[] out = new byte[192 * 1024];
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 30;
            }
        } while (Load.cpu() < end);
        out[0] = (byte) x;
        return out;
    }
}
