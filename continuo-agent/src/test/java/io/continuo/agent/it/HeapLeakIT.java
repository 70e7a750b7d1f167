package io.continuo.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import io.continuo.agent.pprof.DecodedProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code heap_used_after_gc_bytes} sees a slow leak in a 1 GB heap before any old collection: the same shape as a
 * few hundred KB/s over ten minutes (docs/agent.md has that manual run), compressed to 2 MB/s so that CI sees it in
 * about a minute. Before, the metric summed the pools' collection usage, which for G1's old generation changes only
 * at mixed/full collections: the reading stayed flat at the young generation's survivors while the leak grew.
 */
class HeapLeakIT {
    private static final Pattern HEAP = Pattern.compile("\"heap_used_after_gc_bytes\":([0-9.eE+]+)");
    private static final int LEAK_KB_PER_SECOND = 2048;
    /** Readings the verdict needs: 40 s of leak, 80 MB, far above the young generation's noise. */
    private static final int MIN_READINGS = 40;
    private static final long DEADLINE_NANOS = 240_000_000_000L;
    /** Live samples summed over the leak-site snapshots before the shares are judged. */
    private static final long MIN_LIVE_SAMPLES = 6;

    @Test
    void heapAfterGcRisesWithALeakBeforeAnyOldCollection() throws Exception {
        Path stop = Files.createTempFile("continuo-leak", ".stop");
        Files.delete(stop);
        try (Receiver receiver = new Receiver()) {
            ChildJvm.Running child = ChildJvm.start(System.getProperty("java.home"),
                    List.of("-javaagent:" + ChildJvm.agentJar() + "=server=" + receiver.url() + ",uploadInterval=1s",
                            "-Xms1g", "-Xmx1g", "-XX:+UseG1GC"),
                    ChildJvm.testClasspath(), HeapLeakApp.class, List.of(stop.toString(), String.valueOf(LEAK_KB_PER_SECOND)),
                    Map.of());
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            while (child.process.isAlive() && System.nanoTime() < deadline
                    && (readings(receiver).size() < MIN_READINGS || receiver.profiles("inuse_objects").size() < 2
                        || liveSamples(receiver) < MIN_LIVE_SAMPLES)) {
                Thread.sleep(500);
            }
            Files.createFile(stop);
            ChildJvm.Result r = child.waitFor(60);
            assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
            List<Double> heap = readings(receiver);
            System.out.println("HeapLeakIT: " + r.stdout().trim() + " heap after GC (MB): "
                    + heap.stream().map(v -> String.format("%.0f", v / 1e6)).toList());
            assertThat(heap).as("readings").hasSizeGreaterThanOrEqualTo(MIN_READINGS);
            assertThat(r.stdout()).as("only young collections happened").contains("G1 Old Generation=0;");

            // The leak grows 2 MB/s: over the readings, the level must rise by most of what was leaked meanwhile and
            // rise (nearly) monotonically: compare each reading with the one ten seconds later.
            int n = heap.size();
            double rise = heap.get(n - 1) - heap.get(0);
            double leakedMeanwhile = (n - 1) * LEAK_KB_PER_SECOND * 1024.0;
            assertThat(rise).as("rise vs %s bytes leaked meanwhile", leakedMeanwhile).isGreaterThan(0.5 * leakedMeanwhile);
            int up = 0;
            int pairs = 0;
            for (int i = 0; i + 10 < n; i++, pairs++) {
                if (heap.get(i + 10) > heap.get(i)) up++;
            }
            assertThat(up).as("readings higher than ten seconds before").isGreaterThanOrEqualTo(pairs * 9 / 10);

            // Live-object evidence: over the leak-sites snapshots (jdk.OldObjectSample: sampled objects that survived a
            // collection and are still alive), the leaking call is the top allocation site.
            List<DecodedProfile> snapshots = receiver.decoded("inuse_objects");
            assertThat(snapshots).as("leak-site snapshots").hasSizeGreaterThanOrEqualTo(2);
            Map<String, Long> sites = new HashMap<>();
            long live = 0;
            long inLeak = 0;
            for (DecodedProfile p : snapshots) {
                for (DecodedProfile.Sample smp : p.samples) {
                    String site = smp.frames.size() > 1 ? smp.frames.get(1) : smp.frames.get(0);
                    sites.merge(site, smp.values.get(0), Long::sum);
                    live += smp.values.get(0);
                    // the cached arrays, and the cache's own backing array grown by CACHE.add inside remember()
                    if (smp.frames.contains(HeapLeakApp.class.getName() + ".remember")) inLeak += smp.values.get(0);
                }
            }
            System.out.println("HeapLeakIT: leak sites " + sites);
            assertThat(inLeak).as("live samples allocated under the leaking call, of %s", sites)
                    .isGreaterThanOrEqualTo(MIN_LIVE_SAMPLES / 2).isGreaterThan(live / 2);
        } finally {
            Files.deleteIfExists(stop);
        }
    }

    private static long liveSamples(Receiver receiver) {
        long n = 0;
        for (DecodedProfile p : receiver.decoded("inuse_objects")) {
            for (DecodedProfile.Sample smp : p.samples) n += smp.values.get(0);
        }
        return n;
    }

    /** The heap readings in upload order, one per interval. */
    private static List<Double> readings(Receiver receiver) {
        List<Double> out = new ArrayList<>();
        for (Receiver.Request req : receiver.requests) {
            if (!req.isMetrics()) continue;
            Matcher m = HEAP.matcher(new String(req.body()));
            if (m.find()) out.add(Double.parseDouble(m.group(1)));
        }
        return out;
    }
}
