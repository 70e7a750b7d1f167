package io.continuo.formats.internal;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON reader of the JSON wire formats (OTLP/JSON, Connect push JSON), bounded for untrusted bodies: nesting
 * and number lengths are attacks past these sizes; strings (base64 profiles) are bounded by the decoder's limits.
 */
public final class JsonBodies {
    public static final ObjectMapper MAPPER = create();

    private JsonBodies() {
    }

    private static ObjectMapper create() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(Integer.MAX_VALUE - 8).maxNumberLength(64).build());
        return mapper;
    }
}
