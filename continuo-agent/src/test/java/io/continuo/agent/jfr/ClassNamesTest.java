package io.continuo.agent.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClassNamesTest {
    @Test
    void arrayDescriptorsBecomeJavaSyntax() {
        assertThat(ClassNames.readable("[B")).isEqualTo("byte[]");
        assertThat(ClassNames.readable("[[I")).isEqualTo("int[][]");
        assertThat(ClassNames.readable("[Ljava.lang.String;")).isEqualTo("java.lang.String[]");
        assertThat(ClassNames.readable("java.lang.String")).isEqualTo("java.lang.String");
    }
}
