package io.continuo.server.http;

import io.javalin.security.RouteRole;

/**
 * How an endpoint is reached when API keys are configured. An endpoint registered without one of these needs a valid
 * key (default deny), so a new route is protected without anyone remembering to list it.
 */
public enum Access implements RouteRole {
    /** Served to anyone: {@code /healthz}, and {@code /metrics} with {@code --metrics-public}. */
    PUBLIC,
    /**
     * The handler checks the key itself ({@link ApiKeys#authenticate}) so that its refusal is in its protocol's own
     * encoding (OTLP's {@code google.rpc.Status}, gRPC's trailers); the gate lets the request through to it.
     */
    OWN_AUTH
}
