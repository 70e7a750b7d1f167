package io.continuo.store.clickhouse;

import io.continuo.store.ProfileStore;
import io.continuo.store.ProfileStoreContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store contract on ClickHouse: each test gets its own fresh database on the test server. */
@ExtendWith(ClickHouseServer.class)
class ClickHouseProfileStoreTest extends ProfileStoreContract {
    private String database;

    @BeforeEach
    void freshDatabase(TestInfo info) {
        database = ClickHouseServer.freshDatabase(info.getTestMethod().map(m -> m.getName()).orElse("test"));
    }

    @Override
    protected ProfileStore openStore(int maxSeriesPerTenant) {
        return ClickHouseProfileStore.open(ClickHouseConfig.builder(ClickHouseServer.url()).database(database)
                .maxSeriesPerTenant(maxSeriesPerTenant).build());
    }
}
