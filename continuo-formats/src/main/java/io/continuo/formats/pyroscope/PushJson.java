package io.continuo.formats.pyroscope;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Gzip;
import io.continuo.formats.ProfileFormatException;
import io.continuo.model.Labels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Pyroscope's Connect push API in its JSON form ({@code application/json}): the same {@code push.v1.PushRequest} as
 * {@link PyroscopeProtos#readPushRequest}, as Connect writes it,
 * {@code {"series":[{"labels":[{"name":..,"value":..}],"samples":[{"rawProfile":"<base64 pprof>"}]}]}}, under the
 * same limits.
 */
public final class PushJson {
    public static final String FORMAT = "push-json";
    private static final ObjectMapper MAPPER = io.continuo.formats.internal.JsonBodies.MAPPER;

    private PushJson() {
    }

    /** @throws ProfileFormatException (format {@value #FORMAT}) for JSON that is not a push request */
    public static List<RawSeries> read(byte[] bytes, DecodeLimits limits) {
        byte[] data = Gzip.maybeDecompress(bytes, limits, FORMAT);
        JsonNode root;
        try {
            root = MAPPER.readTree(data);
        } catch (JsonProcessingException e) {
            throw invalid(e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("expected a PushRequest object");
        }
        List<RawSeries> out = new ArrayList<>();
        int profiles = 0;
        for (JsonNode series : root.path("series")) {
            if (out.size() >= limits.maxSamples()) {
                throw invalid("more than maxSamples " + limits.maxSamples() + " series");
            }
            Labels.Builder labels = Labels.builder();
            int labelCount = 0;
            for (JsonNode pair : series.path("labels")) {
                if (++labelCount > limits.maxLabelsPerSample()) {
                    throw invalid("series has more than maxLabelsPerSample " + limits.maxLabelsPerSample() + " labels");
                }
                labels.put(pair.path("name").asText(), pair.path("value").asText());
            }
            List<byte[]> raw = new ArrayList<>();
            for (JsonNode sample : series.path("samples")) {
                if (++profiles > limits.maxSamples()) {
                    throw invalid("more than maxSamples " + limits.maxSamples() + " profiles");
                }
                try {
                    raw.add(Base64.getDecoder().decode(sample.path("rawProfile").asText()));
                } catch (IllegalArgumentException e) {
                    throw invalid("rawProfile is not base64: " + e.getMessage());
                }
            }
            out.add(new RawSeries(labels.build(), raw));
        }
        return out;
    }

    private static ProfileFormatException invalid(String reason) {
        return new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "invalid Connect JSON push body: " + reason);
    }
}
