package io.continuo.bench.jmh;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.pprof.PprofReader;
import io.continuo.formats.pprof.PprofWriter;
import io.continuo.model.Profile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** Ingest decode: a gzipped pprof upload of 3,000 stacks into a Profile (the server's per-upload hot path). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PprofDecodeBenchmark {
    @Param({"3000"})
    int stacks;

    byte[] gzipped;
    byte[] raw;

    @Setup
    public void setup() {
        Profile p = SyntheticProfiles.cpu(stacks, 3000, 42);
        gzipped = PprofWriter.toBytes(p, true);
        raw = PprofWriter.toBytes(p, false);
    }

    @Benchmark
    public Profile decodeGzipped() {
        return PprofReader.read(gzipped, DecodeLimits.DEFAULT);
    }

    @Benchmark
    public Profile decodeRaw() {
        return PprofReader.read(raw, DecodeLimits.DEFAULT);
    }
}
