package io.continuo.bench.jmh;

import io.continuo.model.Frame;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Realistic CPU profiles for micro benchmarks: stacks of depth 10–40 sharing prefixes (each new stack reuses a
 * random prefix of an earlier one), Zipf-like values in multiples of a 10 ms period. Seeded, so runs compare.
 */
public final class SyntheticProfiles {
    private SyntheticProfiles() {
    }

    public static Profile cpu(int stacks, int frames, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.CPU));
        int[] frameIds = new int[frames];
        for (int f = 0; f < frames; f++) {
            frameIds[f] = b.frame(new Frame("com.example.pkg" + (f % 40) + ".Class" + (f % 300) + ".method" + f, "", 0));
        }
        int[][] made = new int[stacks][];
        for (int s = 0; s < stacks; s++) {
            int depth = 10 + random.nextInt(31);
            int[] path = new int[depth];
            int shared = 0;
            if (s > 0) {
                int[] prefixOf = made[random.nextInt(s)];
                shared = Math.min(depth - 1, random.nextInt(prefixOf.length));
                System.arraycopy(prefixOf, 0, path, 0, shared);
            }
            for (int i = shared; i < depth; i++) {
                path[i] = frameIds[random.nextInt(frames)];
            }
            made[s] = path;
            long samples = 1 + (long) (1000.0 / (1 + s) * (1 + random.nextInt(3)));
            b.addSample(path, depth, new long[]{samples * 10_000_000L}, Labels.EMPTY);
        }
        return b.window(System.currentTimeMillis() * 1_000_000L, 10_000_000_000L).period(10_000_000L).build();
    }
}
