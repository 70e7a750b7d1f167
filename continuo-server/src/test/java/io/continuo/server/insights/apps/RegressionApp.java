package io.continuo.server.insights.apps;

/**
 * A checkout service. Version 1 spends 2 ms of each 18 ms request in {@link Pricing#applyDiscounts}; version 2
 * (system property {@code continuo.version} starting with "2") spends 16 ms there, the rest unchanged.
 * Argument: seconds to run.
 */
public final class RegressionApp {
    public static void main(String[] args) throws Exception {
        long start = System.currentTimeMillis();
        Load.start(32);
        boolean v2 = System.getProperty("continuo.version", "1").startsWith("2");
        Load.paced(start, Double.parseDouble(args[0]), second -> Checkout.submit(v2 ? 16_000_000 : 2_000_000));
    }
}

final class Checkout {
    private Checkout() {
    }

    static void submit(long discountNanos) {
        Load.keep(Cart.total(6_000_000));
        Load.keep(Tax.compute(5_000_000));
        Load.keep(Pricing.applyDiscounts(discountNanos));
        Load.keep(CheckoutJson.encode(5_000_000));
    }
}

final class Cart {
    private Cart() {
    }

    static long total(long nanos) {
        long[] lines = new long[16 * 1024];
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 29;
            }
        } while (Load.cpu() < end);
        lines[1] = x;
        Load.keep(lines);
        return x;
    }
}

final class Tax {
    private Tax() {
    }

    static long compute(long nanos) {
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 27;
            }
        } while (Load.cpu() < end);
        return x;
    }
}

final class Pricing {
    private Pricing() {
    }

    static long applyDiscounts(long nanos) {
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 33;
            }
        } while (Load.cpu() < end);
        return x;
    }
}

final class CheckoutJson {
    private CheckoutJson() {
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
