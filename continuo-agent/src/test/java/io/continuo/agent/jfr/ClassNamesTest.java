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

    @Test
    void hiddenClassesLoseTheirPerRunCounterAndAddress() {
        assertThat(ClassNames.stable("Shop$$Lambda$16+0x00007f4600002a68.1160460865")).isEqualTo("Shop$$Lambda");
        assertThat(ClassNames.stable("com.shop.Cart$$Lambda/0x0000000800c03000")).isEqualTo("com.shop.Cart$$Lambda");
        assertThat(ClassNames.stable("com.shop.Cart$$Lambda$7/0x0000000800c03000")).isEqualTo("com.shop.Cart$$Lambda");
        assertThat(ClassNames.stable("jdk.proxy2.$Proxy12")).isEqualTo("jdk.proxy2.$Proxy");
        assertThat(ClassNames.readable("[Lcom.shop.Cart$$Lambda$3+0x0000000801001234;")).isEqualTo("com.shop.Cart$$Lambda[]");
        // ordinary names, including ones with digits and 0x inside identifiers, stay as they are
        assertThat(ClassNames.stable("com.shop.Cart$1")).isEqualTo("com.shop.Cart$1");
        assertThat(ClassNames.stable("com.hex0x.Parser0x1")).isEqualTo("com.hex0x.Parser0x1");
        assertThat(ClassNames.stable("com.shop.$ProxyFactory")).isEqualTo("com.shop.$ProxyFactory");
    }
}
