package io.continuo.agent.it;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Serves fake "GET /checkout" requests as server spans, burning CPU inside each one. Runs for {@code args[0]} ms,
 * or, with {@code until=<file>}, until that file exists (at most ten minutes): the test then decides when enough
 * samples arrived, whatever the machine's speed.
 */
public final class TracedApp {
    static volatile double result;

    public static void main(String[] args) {
        java.io.File stop = args[0].startsWith("until=") ? new java.io.File(args[0].substring(6)) : null;
        long end = System.currentTimeMillis() + (stop != null ? 600_000 : Long.parseLong(args[0]));
        Tracer tracer = GlobalOpenTelemetry.getTracer("continuo-it");
        Set<String> traces = new LinkedHashSet<>();
        boolean valid = true;
        while (System.currentTimeMillis() < end && (stop == null || !stop.exists())) {
            Span root = tracer.spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER).startSpan();
            try (Scope ignored = root.makeCurrent()) {
                valid &= root.getSpanContext().isValid();
                traces.add(root.getSpanContext().getTraceId());
                checkout(tracer);
            } finally {
                root.end();
            }
            outsideAnySpan();
        }
        System.out.println("validSpans=" + valid);
        System.out.println("traces=" + String.join(",", traces));
        try {
            System.out.println("agent=" + Class.forName("io.continuo.agent.ContinuoAgent").getMethod("diagnostics").invoke(null));
        } catch (ReflectiveOperationException e) {
            System.out.println("agent=" + e);
        }
    }

    /**
     * 40 ms of CPU, most of it in eight child spans: a request with a few database calls makes 18 span transitions,
     * hundreds a second, which is what JFR's delivery delay has to be covered for.
     */
    static void checkout(Tracer tracer) {
        for (int i = 0; i < 8; i++) {
            Span child = tracer.spanBuilder("db.query").startSpan();
            try (Scope ignored = child.makeCurrent()) {
                burn(4_000_000L);
            } finally {
                child.end();
            }
            burn(1_000_000L);
        }
    }

    private static void burn(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) result += WorkloadApp.burnCpu();
    }

    static void outsideAnySpan() {
        long until = System.nanoTime() + 10_000_000L;
        while (System.nanoTime() < until) result += WorkloadApp.burnCpu();
    }
}
