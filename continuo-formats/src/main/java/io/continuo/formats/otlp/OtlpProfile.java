package io.continuo.formats.otlp;

import io.continuo.model.Labels;
import io.continuo.model.Profile;

/**
 * One decoded profile and the series labels it belongs to (service, version, env, instance and the other resource,
 * scope and profile attributes). Sample attributes stay on the profile's samples.
 */
public record OtlpProfile(Labels labels, Profile profile) {
}
