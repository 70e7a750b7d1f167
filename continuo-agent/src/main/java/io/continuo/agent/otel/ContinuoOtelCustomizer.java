package io.continuo.agent.otel;

import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;

/**
 * Found by ServiceLoader in two places: the OpenTelemetry Java agent's extension loader (our premain
 * adds this jar to {@code otel.javaagent.extensions}) and SDK autoconfigure on the app's class path
 * (a -javaagent jar is on the system class path). Either way it adds {@link ContinuoSpanProcessor}.
 */
public final class ContinuoOtelCustomizer implements AutoConfigurationCustomizerProvider {
    @Override
    public void customize(AutoConfigurationCustomizer customizer) {
        customizer.addTracerProviderCustomizer((builder, config) -> {
            ContinuoSpanProcessor p = ContinuoSpanProcessor.create();
            return p == null ? builder : builder.addSpanProcessor(p);
        });
    }
}
