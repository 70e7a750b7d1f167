package io.continuo.formats.pyroscope;

import io.continuo.model.Labels;
import java.util.List;

/**
 * One series of a Pyroscope {@code push.v1.PushRequest}: its labels (including Pyroscope's {@code __name__} and
 * {@code service_name}) and its raw profiles (pprof bytes, possibly gzipped), undecoded.
 */
public record RawSeries(Labels labels, List<byte[]> profiles) {
    public RawSeries {
        profiles = List.copyOf(profiles);
    }
}
