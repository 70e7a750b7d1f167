package io.continuo.server.pyroscope;

import com.google.protobuf.Empty;
import io.continuo.server.ServerConfig;
import io.continuo.server.http.RequestContext;
import io.continuo.server.http.TimeParser;
import io.continuo.server.metrics.ServerMetrics;
import io.continuo.server.pyroscope.proto.QuerierProto;
import io.continuo.server.pyroscope.proto.TypesProto;
import io.continuo.store.ProfileStore;
import io.javalin.config.RoutesConfig;

/**
 * Pyroscope's query API on Continuo's port, so Grafana's Pyroscope data source and the Profiles Drilldown app read
 * Continuo unchanged: the Connect RPCs of {@code querier.v1.QuerierService} and the legacy {@code /pyroscope/render}
 * family. Requests are authenticated and assigned a tenant by the HTTP layer like every other query. See
 * docs/grafana.md.
 */
public final class PyroscopeApi {
    static final String QUERIER = "/querier.v1.QuerierService/";

    private final QuerierService querier;
    private final RenderApi render;
    private final ConnectUnary connect;

    public PyroscopeApi(ProfileStore store, TimeParser time, ServerMetrics metrics, ServerConfig config) {
        this.querier = new QuerierService(store, time);
        this.render = new RenderApi(querier, store, time);
        // Query requests are small: a gzipped one may not grow past the plain body limit (a 256 MB profile upload
        // limit would let a few kilobytes of gzip occupy a query thread and its memory for nothing).
        this.connect = new ConnectUnary(metrics, config.maxBodyBytes(),
                Math.min(config.maxDecompressedBytes(), config.maxBodyBytes()));
    }

    public void register(RoutesConfig app) {
        app.post(QUERIER + "ProfileTypes", connect.handler("ProfileTypes",
                QuerierProto.ProfileTypesRequest.getDefaultInstance(),
                (ctx, r) -> querier.profileTypes(RequestContext.tenant(ctx), r)));
        app.post(QUERIER + "LabelNames", connect.handler("LabelNames",
                TypesProto.LabelNamesRequest.getDefaultInstance(),
                (ctx, r) -> querier.labelNames(RequestContext.tenant(ctx), r)));
        app.post(QUERIER + "LabelValues", connect.handler("LabelValues",
                TypesProto.LabelValuesRequest.getDefaultInstance(),
                (ctx, r) -> querier.labelValues(RequestContext.tenant(ctx), r)));
        app.post(QUERIER + "Series", connect.handler("Series",
                QuerierProto.SeriesRequest.getDefaultInstance(),
                (ctx, r) -> querier.series(RequestContext.tenant(ctx), r)));
        app.post(QUERIER + "SelectMergeStacktraces", connect.handler("SelectMergeStacktraces",
                QuerierProto.SelectMergeStacktracesRequest.getDefaultInstance(),
                (ctx, r) -> querier.selectMergeStacktraces(RequestContext.tenant(ctx), r)));
        app.post(QUERIER + "SelectMergeSpanProfile", connect.handler("SelectMergeSpanProfile",
                QuerierProto.SelectMergeSpanProfileRequest.getDefaultInstance(),
                (ctx, r) -> querier.selectMergeSpanProfile(RequestContext.tenant(ctx), r)));
        app.post(QUERIER + "SelectMergeProfile", connect.handler("SelectMergeProfile",
                QuerierProto.SelectMergeProfileRequest.getDefaultInstance(),
                (ctx, r) -> querier.selectMergeProfile(RequestContext.tenant(ctx), r)));
        app.post(QUERIER + "SelectSeries", connect.handler("SelectSeries",
                QuerierProto.SelectSeriesRequest.getDefaultInstance(),
                (ctx, r) -> querier.selectSeries(RequestContext.tenant(ctx), r)));
        app.post(QUERIER + "Diff", connect.handler("Diff",
                QuerierProto.DiffRequest.getDefaultInstance(),
                (ctx, r) -> querier.diff(RequestContext.tenant(ctx), r)));
        app.post(QUERIER + "GetProfileStats", connect.handler("GetProfileStats",
                TypesProto.GetProfileStatsRequest.getDefaultInstance(),
                (ctx, r) -> querier.profileStats(RequestContext.tenant(ctx))));
        for (String method : new String[]{"SelectHeatmap", "AnalyzeQuery"}) {
            app.post(QUERIER + method, connect.handler(method, Empty.getDefaultInstance(), (ctx, r) -> {
                throw ConnectException.unimplemented(method + " is not served by Continuo");
            }));
        }
        // The Drilldown app reads its settings here and falls back to its defaults on an empty answer.
        app.post("/settings.v1.SettingsService/Get", connect.handler("SettingsGet", Empty.getDefaultInstance(),
                (ctx, r) -> Empty.getDefaultInstance()));
        render.register(app);
    }
}
