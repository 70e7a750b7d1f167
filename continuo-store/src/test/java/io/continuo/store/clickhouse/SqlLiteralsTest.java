package io.continuo.store.clickhouse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(ClickHouseServer.class)
class SqlLiteralsTest {
    static final List<String> HOSTILE = List.of(
            "plain", "", "it's", "\\", "\\'", "'\\", "a\\'); DROP TABLE samples; --", "'); DROP TABLE samples; --",
            "back\\slash\\\\double", "quote''twice", "new\nline", "tab\tand\rreturn", "nul\0byte", "bell\u0007",
            "del\u007f", "ünïcødé 日本語", "emoji 🔥 surrogate pair", "\u2028line separator", "%s%n{x:String}",
            "`backtick` \"double\"", "\\x41 is not A", "\\N");

    @Test
    void quotesEscapeWhatWouldEndOrBendTheLiteral() {
        assertThat(SqlLiterals.quote("it's")).isEqualTo("'it\\'s'");
        assertThat(SqlLiterals.quote("a\\b")).isEqualTo("'a\\\\b'");
        assertThat(SqlLiterals.quote("x\ny\0\u0001")).isEqualTo("'x\\ny\\0\\x01'");
        assertThat(SqlLiterals.quote("日本")).isEqualTo("'日本'");
        for (String s : HOSTILE) {
            String q = SqlLiterals.quote(s);
            // Inside the quotes, every quote is escaped by an odd run of backslashes: nothing ends the literal early.
            String inner = q.substring(1, q.length() - 1);
            for (int i = 0; i < inner.length(); i++) {
                if (inner.charAt(i) == '\'') {
                    int backslashes = 0;
                    for (int j = i - 1; j >= 0 && inner.charAt(j) == '\\'; j--) {
                        backslashes++;
                    }
                    assertThat(backslashes % 2).as("quote at %d of %s", i, q).isEqualTo(1);
                }
                assertThat(inner.charAt(i)).as("control character in %s", q).isGreaterThanOrEqualTo(' ');
            }
        }
    }

    @Test
    void clickHouseReadsEveryLiteralBackExactly() {
        ClickHouseHttp http = new ClickHouseHttp(ClickHouseConfig.builder(ClickHouseServer.url()).database("system")
                .build());
        List<String> all = new ArrayList<>(HOSTILE);
        StringBuilder everyChar = new StringBuilder();
        for (char c = 1; c < 0x250; c++) {
            everyChar.append(c);
        }
        all.add(everyChar.toString());
        for (String s : all) {
            RowBinaryInput in = http.query("SELECT " + SqlLiterals.quote(s) + " FORMAT RowBinary");
            assertThat(in.string()).as("round trip of %s", SqlLiterals.quote(s)).isEqualTo(s);
            assertThat(in.hasMore()).isFalse();
        }
    }

    @Test
    void identifiersAreCheckedNotQuoted() {
        assertThat(SqlLiterals.identifier("continuo_prod")).isEqualTo("continuo_prod");
        assertThatThrownBy(() -> SqlLiterals.identifier("x; DROP DATABASE y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlLiterals.identifier("1abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClickHouseConfig.builder("http://127.0.0.1:8123").database("a.b").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a.b");
    }
}
