package io.continuo.server.insights.apps;

/**
 * An API with steady light traffic; from second {@code spikeFrom} for {@code spikeSeconds}, a report export runs
 * on a second thread and spends half a core in {@link ReportExporter#render}.
 * Arguments: seconds to run, second the export starts, its length in seconds.
 */
public final class SpikeApp {
    public static void main(String[] args) throws Exception {
        long start = System.currentTimeMillis();
        Load.start(32);
        double spikeFrom = Double.parseDouble(args[1]);
        double spikeSeconds = Double.parseDouble(args[2]);
        Thread export = new Thread(() -> {
            try {
                Thread.sleep((long) (spikeFrom * 1000) - (System.currentTimeMillis() - start));
                long exportStart = System.currentTimeMillis();
                Load.paced(exportStart, spikeSeconds, second -> Load.keep(ReportExporter.render(50_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "report-export");
        export.start();
        Load.paced(start, Double.parseDouble(args[0]), second -> Router.route());
        export.join();
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
