package io.continuo.agent;

import io.continuo.agent.config.AgentConfig;
import io.continuo.agent.config.ConfigResolver;
import io.continuo.agent.otel.SpanRegistry;
import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Entry point for {@code -javaagent:continuo-agent.jar[=name=value,...]}. premain does only what must
 * happen before the app's main (the kill switch, and offering our span hook to the OpenTelemetry
 * agent) and hands everything else to a daemon thread, so start-up stays in the low milliseconds and
 * nothing the agent does can throw into the app.
 */
public final class ContinuoAgent {
    private static final String OTEL_EXTENSIONS_PROPERTY = "otel.javaagent.extensions";
    private static final String OTEL_EXTENSIONS_ENV = "OTEL_JAVAAGENT_EXTENSIONS";
    private static volatile AgentRuntime runtime;
    private static boolean started;

    private ContinuoAgent() {}

    public static void premain(String args, Instrumentation inst) { start(args); }

    public static void agentmain(String args, Instrumentation inst) { start(args); }

    private static synchronized void start(String args) {
        if (started) return;
        started = true;
        try {
            // No lambdas or method references on this path: their first bootstrap costs tens of ms.
            ConfigResolver resolver = new ConfigResolver(args, systemProperties(), System.getenv(),
                    new Lazy(Lazy.APP_INFO), new Lazy(Lazy.HOST_NAME));
            if (!resolver.enabled()) return;
            SpanRegistry.install();
            offerOtelExtension();
            Thread t = new Thread(new Boot(resolver), "continuo-jfr");
            t.setDaemon(true);
            t.start();
        } catch (Throwable t) {
            Log.warn("disabled: " + t.getMessage());
        }
    }

    private static void boot(ConfigResolver resolver) {
        AgentRuntime rt = null;
        try {
            AgentConfig config = resolver.resolve();
            Log.setLevel(config.logLevel);
            rt = new AgentRuntime(config);
            runtime = rt;
            rt.run();
        } catch (IllegalArgumentException e) {
            Log.warn("disabled: invalid setting: " + e.getMessage());
        } catch (Throwable t) {
            if (rt != null) {
                rt.fail(t);
            } else {
                Log.warn("disabled: " + t);
            }
        }
    }

    /**
     * The OpenTelemetry Java agent loads extensions named in {@code otel.javaagent.extensions} while
     * its own premain runs; adding our jar there (keeping any the user configured) makes it register
     * our span processor. This only works when our -javaagent comes first on the command line.
     */
    private static void offerOtelExtension() {
        try {
            File jar = new File(ContinuoAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!jar.isFile()) return;
            String existing = System.getProperty(OTEL_EXTENSIONS_PROPERTY);
            if (existing == null || existing.isBlank()) existing = System.getenv(OTEL_EXTENSIONS_ENV);
            String value = existing == null || existing.isBlank() ? jar.getPath() : existing + "," + jar.getPath();
            System.setProperty(OTEL_EXTENSIONS_PROPERTY, value);
        } catch (Throwable ignored) {
            // Trace correlation is optional; profiling goes on without it.
        }
    }

    private static Map<String, String> systemProperties() {
        Properties p = System.getProperties();
        Map<String, String> out = new HashMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("continuo.") || name.equals("sun.java.command")) out.put(name, p.getProperty(name));
        }
        return out;
    }

    private static ConfigResolver.AppInfo appInfo() {
        String command = System.getProperty("sun.java.command", "").trim();
        if (command.isEmpty()) return null;
        String first = command.split("\\s+", 2)[0];
        if (first.endsWith(".jar")) {
            try (JarFile jar = new JarFile(first, false)) {
                Manifest m = jar.getManifest();
                if (m != null) {
                    Attributes a = m.getMainAttributes();
                    return new ConfigResolver.AppInfo(a.getValue(Attributes.Name.IMPLEMENTATION_TITLE),
                            a.getValue(Attributes.Name.IMPLEMENTATION_VERSION), a.getValue(Attributes.Name.MAIN_CLASS));
                }
            } catch (Exception ignored) {
                // Unreadable jar: fall back to its file name below.
            }
            String name = new File(first).getName();
            return new ConfigResolver.AppInfo(null, null, name.substring(0, name.length() - ".jar".length()));
        }
        int slash = first.indexOf('/');
        return new ConfigResolver.AppInfo(null, null, slash >= 0 ? first.substring(slash + 1) : first);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "";
        }
    }

    private static final class Boot implements Runnable {
        private final ConfigResolver resolver;

        Boot(ConfigResolver resolver) { this.resolver = resolver; }

        @Override
        public void run() { boot(resolver); }
    }

    /** Computed on first use (on the background thread), at most once. */
    @SuppressWarnings("unchecked")
    private static final class Lazy<T> implements Supplier<T> {
        static final int APP_INFO = 0;
        static final int HOST_NAME = 1;
        private final int what;
        private boolean done;
        private T value;

        Lazy(int what) { this.what = what; }

        @Override
        public synchronized T get() {
            if (!done) {
                value = (T) (what == APP_INFO ? appInfo() : hostName());
                done = true;
            }
            return value;
        }
    }

    /**
     * Counters for operators and tests (queue length and bytes, drops, uploads); empty when the agent
     * is not running. Keys are stable: docs/agent.md lists them.
     */
    public static java.util.Map<String, Long> diagnostics() {
        AgentRuntime rt = runtime;
        return rt == null ? java.util.Map.of() : rt.diagnostics();
    }
}
