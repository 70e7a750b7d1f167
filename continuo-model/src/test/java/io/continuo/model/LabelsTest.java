package io.continuo.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelsTest {

    @Test
    void sortedAndComparableByContent() {
        Labels a = Labels.of("service", "shop", "env", "prod");
        Labels b = Labels.of("env", "prod", "service", "shop");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.fingerprint()).isEqualTo(b.fingerprint());
        assertThat(a.name(0)).isEqualTo("env");
        assertThat(a.toString()).isEqualTo("{env=\"prod\",service=\"shop\"}");
        assertThat(a.get("service")).isEqualTo("shop");
        assertThat(a.get("missing")).isNull();
    }

    @Test
    void fingerprintsDifferWhenBoundariesMove() {
        assertThat(Labels.of("a", "bc").fingerprint()).isNotEqualTo(Labels.of("ab", "c").fingerprint());
    }

    @Test
    void emptyValuesDropTheLabel() {
        assertThat(Labels.of("a", "").isEmpty()).isTrue();
        assertThat(Labels.of("a", "1").with("a", "").isEmpty()).isTrue();
    }

    @Test
    void limitsNameTheOffendingLabel() {
        LabelLimits limits = new LabelLimits(2, 10, 5);
        assertThatThrownBy(() -> limits.check(Labels.of("a", "1", "b", "2", "c", "3"))).hasMessageContaining("too many labels: 3");
        assertThatThrownBy(() -> limits.check(Labels.of("a", "123456"))).hasMessageContaining("label 'a' has 6 characters");
        assertThatThrownBy(() -> Labels.of("bad-name", "x")).isInstanceOf(ValidationException.class).hasMessageContaining("bad-name");
    }

    @Test
    void pprofTypesMapOntoContinuoNames() {
        assertThat(ProfileType.fromPprof("cpu", "nanoseconds")).isEqualTo(ProfileType.CPU);
        assertThat(ProfileType.fromPprof("alloc_space", "bytes")).isEqualTo(ProfileType.ALLOC_BYTES);
        assertThat(ProfileType.fromPprof("inuse_space", "bytes")).isEqualTo(ProfileType.INUSE_BYTES);
        assertThat(ProfileType.fromPprof("contentions", "count")).isEqualTo(ProfileType.LOCK_COUNT);
        assertThat(ProfileType.fromPprof("delay", "nanoseconds")).isEqualTo(ProfileType.LOCK_DURATION);
        assertThat(ProfileType.fromPprof("samples", "count")).isEqualTo(new ProfileType("samples", "count"));
        assertThat(ProfileType.fromPprof("Weird Type!", "furlongs").name()).isEqualTo("weird_type_");
    }
}
