package io.continuo.formats.otlp;

import java.util.List;

/**
 * What one {@code ExportProfilesServiceRequest} decodes to: the profiles to store and the OTLP profiles that were
 * refused on their own (an unusable sample type, a value that overflows), with a reason for each, so the server can
 * answer with OTLP's {@code partial_success}.
 */
public record OtlpBatch(List<OtlpProfile> profiles, int rejectedProfiles, List<String> rejections) {
    public OtlpBatch {
        profiles = List.copyOf(profiles);
        rejections = List.copyOf(rejections);
    }
}
