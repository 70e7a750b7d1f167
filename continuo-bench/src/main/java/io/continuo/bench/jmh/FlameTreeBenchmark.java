package io.continuo.bench.jmh;

import io.continuo.model.FlameTree;
import io.continuo.model.FunctionStat;
import io.continuo.model.Profile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Query-side tree work: build a flame tree from a profile, merge two, prune to 2,048 nodes, top functions, diff. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FlameTreeBenchmark {
    Profile profile;
    FlameTree a;
    FlameTree b;

    @Setup
    public void setup() {
        profile = SyntheticProfiles.cpu(8000, 3000, 42);
        a = profile.toFlameTree(0);
        b = SyntheticProfiles.cpu(8000, 3000, 43).toFlameTree(0);
    }

    @Benchmark
    public FlameTree buildFromProfile() {
        return profile.toFlameTree(0);
    }

    @Benchmark
    public FlameTree merge() {
        FlameTree t = a.copy();
        t.merge(b);
        return t;
    }

    @Benchmark
    public FlameTree prune() {
        return a.prune(2048);
    }

    @Benchmark
    public List<FunctionStat> topFunctions() {
        return a.topFunctions(0);
    }

    @Benchmark
    public FlameTree diff() {
        return FlameTree.diff(a, b).prune(2048);
    }
}
