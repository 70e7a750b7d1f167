package io.continuo.agent.otel;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Reports span starts and ends to the agent's {@link SpanRegistry}. This class may be loaded by the
 * OpenTelemetry Java agent's extension class loader, which has its own copy of every class in our
 * jar; the registry that the profiler reads is the one in the system class loader, so it is reached
 * through method handles resolved there rather than by a direct call.
 *
 * <p>Must reference only JDK and OpenTelemetry types: anything else would resolve in the wrong loader.
 */
public final class ContinuoSpanProcessor implements SpanProcessor {
    private static final String REGISTRY = "io.continuo.agent.otel.SpanRegistry";
    private final MethodHandle started;
    private final MethodHandle ended;

    private ContinuoSpanProcessor(MethodHandle started, MethodHandle ended) {
        this.started = started;
        this.ended = ended;
    }

    /** @return null when the Continuo agent is not running in this JVM */
    static ContinuoSpanProcessor create() {
        try {
            Class<?> c = Class.forName(REGISTRY, true, ClassLoader.getSystemClassLoader());
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle installed = lookup.findStatic(c, "installed", MethodType.methodType(boolean.class));
            if (!(boolean) installed.invokeExact()) return null;
            MethodHandle started = lookup.findStatic(c, "spanStarted",
                    MethodType.methodType(void.class, String.class, String.class, String.class, String.class));
            MethodHandle ended = lookup.findStatic(c, "spanEnded", MethodType.methodType(void.class, String.class));
            return new ContinuoSpanProcessor(started, ended);
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        try {
            SpanContext sc = span.getSpanContext();
            SpanContext parent = Span.fromContext(parentContext).getSpanContext();
            String parentId = parent.isValid() && !parent.isRemote() ? parent.getSpanId() : null;
            started.invokeExact(sc.getTraceId(), sc.getSpanId(), parentId, span.getName());
        } catch (Throwable ignored) {
            // Profiling correlation is best effort; the app's tracing must not notice us.
        }
    }

    @Override
    public boolean isStartRequired() { return true; }

    @Override
    public void onEnd(ReadableSpan span) {
        try {
            ended.invokeExact(span.getSpanContext().getSpanId());
        } catch (Throwable ignored) {
            // As above.
        }
    }

    @Override
    public boolean isEndRequired() { return true; }

    @Override
    public CompletableResultCode shutdown() { return CompletableResultCode.ofSuccess(); }

    @Override
    public CompletableResultCode forceFlush() { return CompletableResultCode.ofSuccess(); }
}
