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
