package io.continuo.server.insights.apps;

/**
 * A search service with steady traffic and nothing wrong: the control. Every version runs the same code.
 * Argument: seconds to run.
 */
public final class CleanApp {
    public static void main(String[] args) throws Exception {
        long start = System.currentTimeMillis();
        Load.start(32);
        Load.paced(start, Double.parseDouble(args[0]), second -> SearchIndex.query());
    }
}

final class SearchIndex {
    private SearchIndex() {
    }

    static void query() {
        Load.keep(Tokenizer.split(8_000_000));
        Load.keep(Scorer.score(7_000_000));
        Load.keep(SearchJson.encode(5_000_000));
    }
}

final class Tokenizer {
    private Tokenizer() {
    }

    static Object split(long nanos) {
        byte[][] tokens = Load.pieces(128 * 1024);
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 29;
            }
        } while (Load.cpu() < end);
        tokens[0][0] = (byte) x;
        return tokens;
    }
}

final class Scorer {
    private Scorer() {
    }

    static long score(long nanos) {
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

final class SearchJson {
    private SearchJson() {
    }

    static Object encode(long nanos) {
        byte[][] out = Load.pieces(192 * 1024);
        long x = nanos;
        long end = Load.cpu() + nanos;
        do {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x ^= x >>> 30;
            }
        } while (Load.cpu() < end);
        out[0][0] = (byte) x;
        return out;
    }
}
