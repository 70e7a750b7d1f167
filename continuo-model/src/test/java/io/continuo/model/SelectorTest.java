package io.continuo.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SelectorTest {

    @Test
    void parsesAllFourOperators() {
        Selector s = Selector.parse("{service=\"shop\", env=~\"prod|stage\",version!=\"1.0\", instance!~\"test-.*\"}");
        assertThat(s.matchers()).hasSize(4);
        assertThat(s.matches(Labels.of("service", "shop", "env", "prod", "version", "2.0", "instance", "a"))).isTrue();
        assertThat(s.matches(Labels.of("service", "shop", "env", "dev", "version", "2.0"))).isFalse();
        assertThat(s.matches(Labels.of("service", "shop", "env", "stage", "version", "1.0"))).isFalse();
        assertThat(s.matches(Labels.of("service", "shop", "env", "stage", "instance", "test-1"))).isFalse();
        assertThat(s.equalityValue("service")).isEqualTo("shop");
    }

    @Test
    void regexIsAnchored() {
        Selector s = Selector.parse("{env=~\"prod\"}");
        assertThat(s.matches(Labels.of("env", "production"))).isFalse();
    }

    /** java.util.regex needed about 2^n steps here; this never finished for n = 40, and could not be interrupted. */
    @Test
    void nestedQuantifiersRunInLinearTime() {
        Selector s = Selector.parse("{lv=~\"((a+)+)+b\"}");
        String value = "a".repeat(100_000);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 10; i++) {
                assertThat(s.matches(Labels.of("lv", value))).isFalse();
            }
        });
        assertThat(s.matches(Labels.of("lv", "aaab"))).isTrue();
        assertThat(Selector.parse("{lv!~\"(a|aa)+c\"}").matches(Labels.of("lv", value))).isTrue();
    }

    @Test
    void regexHasRe2Semantics() {
        assertThat(Selector.parse("{env=~\"pro.\"}").matches(Labels.of("env", "pro\n"))).as("dot matches newline").isTrue();
        assertThat(Selector.parse("{env=~\"a|b\"}").matches(Labels.of("env", "ab"))).as("anchored around the alternation").isFalse();
        assertThat(Selector.parse("{env=~\"\"}").matches(Labels.of("service", "x"))).as("absent equals empty").isTrue();
        assertThatThrownBy(() -> Selector.parse("{env=~\"(a)\\\\1\"}")).as("backreferences are not RE2")
                .isInstanceOf(ValidationException.class).hasMessageContaining("env");
        assertThatThrownBy(() -> Selector.parse("{env=~\"(?=a)a\"}")).as("lookahead is not RE2")
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void emptySelectsAll() {
        assertThat(Selector.parse("").matchers()).isEmpty();
        assertThat(Selector.parse("{}").matchers()).isEmpty();
        assertThat(Selector.parse(" { } ").matches(Labels.EMPTY)).isTrue();
    }

    @Test
    void pyroscopeAppNamePrefixSelectsService() {
        Selector s = Selector.parse("shop{env=\"prod\"}");
        assertThat(s.equalityValue("service")).isEqualTo("shop");
        assertThat(Selector.parse("shop").equalityValue("service")).isEqualTo("shop");
    }

    @Test
    void escapesInValues() {
        Selector s = Selector.parse("{f=\"a\\\"b\\\\c\"}");
        assertThat(s.matches(Labels.of("f", "a\"b\\c"))).isTrue();
        assertThat(Selector.parse(s.toString())).isEqualTo(s);
    }

    @Test
    void errorsNameThePosition() {
        assertThatThrownBy(() -> Selector.parse("{service=shop}")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("position 9").hasMessageContaining("quoted value");
        assertThatThrownBy(() -> Selector.parse("{service=\"shop\"")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("end of selector");
        assertThatThrownBy(() -> Selector.parse("{1a=\"x\"}")).hasMessageContaining("label name");
        assertThatThrownBy(() -> Selector.parse("{a=~\"(\"}")).hasMessageContaining("regular expression");
        assertThatThrownBy(() -> Selector.parse("{a=\"x\"} trailing")).hasMessageContaining("after '}'");
        assertThatThrownBy(() -> Selector.parse("{" + "a=\"b\",".repeat(2000) + "}")).hasMessageContaining("too long");
    }
}
