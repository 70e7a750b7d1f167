package io.continuo.agent.it;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.LinkedHashSet;
import java.util.Set;

/** Serves fake "GET /checkout" requests as server spans, burning CPU inside each one. */
public final class TracedApp {
    static volatile double result;

    public static void main(String[] args) {
        long end = System.currentTimeMillis() + Long.parseLong(args[0]);
        Tracer tracer = GlobalOpenTelemetry.getTracer("continuo-it");
        Set<String> traces = new LinkedHashSet<>();
        boolean valid = true;
        while (System.currentTimeMillis() < end) {
            Span root = tracer.spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER).startSpan();
            try (Scope ignored = root.makeCurrent()) {
                valid &= root.getSpanContext().isValid();
                traces.add(root.getSpanContext().getTraceId());
                checkout();
            } finally {
                root.end();
            }
            outsideAnySpan();
        }
        System.out.println("validSpans=" + valid);
        System.out.println("traces=" + String.join(",", traces));
    }

    static void checkout() {
        long until = System.nanoTime() + 40_000_000L;
        while (System.nanoTime() < until) result += WorkloadApp.burnCpu();
    }

    static void outsideAnySpan() {
        long until = System.nanoTime() + 10_000_000L;
        while (System.nanoTime() < until) result += WorkloadApp.burnCpu();
    }
}
