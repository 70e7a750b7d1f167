package io.continuo.store.clickhouse;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Endpoint failover order, URL lists and the cluster's shard arithmetic, without a ClickHouse. */
class EndpointsTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final Endpoints endpoints = new Endpoints(List.of(URI.create("http://a/"), URI.create("http://b/"),
            URI.create("http://c/")), now::get);

    @Test
    void aFailedEndpointIsSkippedThenTriedAgainAfterItsPause() {
        assertThat(endpoints.order()).containsExactly(0, 1, 2);
        endpoints.failed(0);
        assertThat(endpoints.order()).containsExactly(1, 2, 0);
        now.addAndGet(Endpoints.RETRY_AFTER_NANOS - 1);
        assertThat(endpoints.order()).containsExactly(1, 2, 0);
        now.addAndGet(1);
        assertThat(endpoints.order()).containsExactly(0, 1, 2);
    }

    @Test
    void whenAllAreDeadTheOldestFailureIsTriedFirst() {
        endpoints.failed(1);
        now.addAndGet(10);
        endpoints.failed(0);
        now.addAndGet(10);
        endpoints.failed(2);
        assertThat(endpoints.order()).containsExactly(1, 0, 2);
        endpoints.succeeded(0);
        assertThat(endpoints.order()).containsExactly(0, 1, 2);
    }

    @Test
    void urlListsAreParsedAndValidated() {
        ClickHouseConfig c = ClickHouseConfig.builder(" http://h1:8123 ,http://h2:8123/").cluster("main").build();
        assertThat(c.urls()).containsExactly(URI.create("http://h1:8123/"), URI.create("http://h2:8123/"));
        assertThat(c.url()).isEqualTo(URI.create("http://h1:8123/"));
        assertThat(c.clustered()).isTrue();
        assertThat(ClickHouseConfig.builder("http://h1:8123").cluster(" ").build().clustered()).isFalse();
        assertThatThrownBy(() -> ClickHouseConfig.builder("http://h1:8123,,http://h2").build())
                .hasMessageContaining("empty entry");
        assertThatThrownBy(() -> ClickHouseConfig.builder("http://h1:8123,http://h1:8123/").build())
                .hasMessageContaining("appears twice");
        assertThatThrownBy(() -> ClickHouseConfig.builder("http://h1:8123,ftp://h2").build())
                .hasMessageContaining("http(s)://host:port").hasMessageContaining("ftp://h2");
        assertThatThrownBy(() -> ClickHouseConfig.builder("http://h1:8123").cluster("x; DROP").build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void seriesMapToShardsByWeightAsDistributedTablesDo() {
        ClickHouseConfig c = ClickHouseConfig.builder("http://h1:8123").cluster("main").build();
        ClusterTopology t = new ClusterTopology(c, List.of(
                new ClusterTopology.Shard(1, 1, List.of()), new ClusterTopology.Shard(2, 2, List.of())));
        // slots: 0 -> shard index 0, 1 and 2 -> shard index 1; negative ids use their low 63 bits
        assertThat(t.shardOf(0)).isZero();
        assertThat(t.shardOf(1)).isEqualTo(1);
        assertThat(t.shardOf(2)).isEqualTo(1);
        assertThat(t.shardOf(3)).isZero();
        assertThat(t.shardOf(-1)).isEqualTo(t.shardOf(Long.MAX_VALUE)).isEqualTo(1);
    }

    @Test
    void errorCodesAreReadFromClickHouseMessages() {
        assertThat(ClickHouseHttp.errorCode("Code: 242, e.displayText() = DB::Exception: Table is in readonly mode"))
                .isEqualTo(242);
        assertThat(ClickHouseHttp.errorCode("no code here")).isEqualTo(-1);
    }
}
