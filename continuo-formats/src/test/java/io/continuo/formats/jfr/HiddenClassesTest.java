package io.continuo.formats.jfr;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HiddenClassesTest {
    @Test
    void lambdaAndProxyNamesDropTheirPerRunCounterAndAddress() {
        assertThat(JfrReader.javaName("Shop$$Lambda$16+0x00007f4600002a68.1160460865")).isEqualTo("Shop$$Lambda");
        assertThat(JfrReader.javaName("com/shop/Cart$$Lambda/0x0000000800c03000")).isEqualTo("com.shop.Cart$$Lambda");
        assertThat(JfrReader.javaName("com/shop/Cart$$Lambda$7/0x0000000800c03000")).isEqualTo("com.shop.Cart$$Lambda");
        assertThat(JfrReader.javaName("jdk/proxy2/$Proxy12")).isEqualTo("jdk.proxy2.$Proxy");
        assertThat(JfrReader.javaName("[Lcom/shop/Cart$$Lambda$3+0x0000000801001234;")).isEqualTo("com.shop.Cart$$Lambda[]");
    }

    @Test
    void ordinaryNamesStayAsTheyAre() {
        assertThat(JfrReader.javaName("com/shop/Cart$1")).isEqualTo("com.shop.Cart$1");
        assertThat(JfrReader.javaName("com/hex0x/Parser0x1")).isEqualTo("com.hex0x.Parser0x1");
        assertThat(JfrReader.javaName("com/shop/$ProxyFactory")).isEqualTo("com.shop.$ProxyFactory");
        assertThat(JfrReader.javaName("[B")).isEqualTo("byte[]");
    }
}
