package io.continuo.formats.otlp;

import io.continuo.formats.internal.LabelNames;
import io.continuo.model.LabelLimits;
import io.continuo.model.Labels;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenTelemetry attribute names to Continuo labels.
 *
 * <p>Series labels come from resource, scope and profile attributes (a later level overrides an earlier one):
 * {@code service.name} is {@code service} (without it {@code unknown_service:<process.executable.name>}, or
 * {@code unknown_service}, as the OpenTelemetry resource spec says); {@code service.version} is {@code version};
 * {@code deployment.environment.name} (else the older {@code deployment.environment}) is {@code env}; the first of
 * {@code k8s.pod.name}, {@code host.name}, {@code service.instance.id} is {@code instance} (a pod is what is scaled
 * and restarted; on a VM the host is; SDKs set {@code service.instance.id} to a random id per process, so it
 * comes last). Every other string attribute is a label of its own name, made valid ({@code k8s.namespace.name}
 * stays as it is). Non-string attributes ({@code process.pid}, {@code thread.id}) and command lines are dropped:
 * they would make a series per process. Labels past the server's count or length limits are dropped, the
 * well-known ones first in line, so an attribute-rich Kubernetes resource never gets its profiles refused.
 */
final class OtlpLabels {
    static final String SERVICE_NAME = "service.name";
    static final String THREAD_NAME = "thread.name";
    private static final String UNKNOWN_SERVICE = "unknown_service";
    private static final String EXECUTABLE_NAME = "process.executable.name";
    private static final List<String> ENV_KEYS = List.of("deployment.environment.name", "deployment.environment");
    private static final List<String> INSTANCE_KEYS = List.of("k8s.pod.name", "host.name", "service.instance.id");
    /** Unique per process start: as labels they would create a series per run. */
    private static final Set<String> DROPPED = Set.of("process.command_line", "process.command_args", "process.command");

    private final LabelLimits limits;
    private final Map<String, String> names = new java.util.HashMap<>();

    OtlpLabels(LabelLimits limits) {
        this.limits = limits;
    }

    /** Series labels from attribute key/value pairs in order: resource, then scope, then profile attributes. */
    Labels series(List<String> keysAndValues) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.size(); i += 2) {
            attributes.put(keysAndValues.get(i), keysAndValues.get(i + 1));
        }
        Labels.Builder b = Labels.builder();
        Set<String> used = new HashSet<>();
        String service = attributes.remove(SERVICE_NAME);
        if (service == null || service.isBlank()) {
            String executable = attributes.get(EXECUTABLE_NAME);
            service = executable == null || executable.isBlank() ? UNKNOWN_SERVICE : UNKNOWN_SERVICE + ":" + executable;
        }
        // the service is kept even when too long: the server then refuses the profile and says why
        b.put(Labels.SERVICE, service);
        used.add(Labels.SERVICE);
        putMapped(b, used, Labels.VERSION, attributes.remove("service.version"));
        String env = null;
        for (String key : ENV_KEYS) {
            String v = attributes.remove(key);
            env = env == null ? v : env;
        }
        putMapped(b, used, Labels.ENV, env);
        for (String key : INSTANCE_KEYS) {
            String v = attributes.get(key);
            if (v != null && !v.isEmpty()) {
                attributes.remove(key);
                putMapped(b, used, Labels.INSTANCE, v);
                break;
            }
        }
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            String name = labelName(e.getKey());
            if (name != null && !used.contains(name) && fits(name, e.getValue()) && used.size() < limits.maxLabels()) {
                b.put(name, e.getValue());
                used.add(name);
            }
        }
        return b.build();
    }

    private void putMapped(Labels.Builder b, Set<String> used, String name, String value) {
        if (value != null && fits(name, value)) {
            b.put(name, value);
            used.add(name);
        }
    }

    /** The label name of a sample or series attribute; null for attributes that never become labels. */
    String labelName(String key) {
        if (key.isEmpty() || DROPPED.contains(key)) {
            return null;
        }
        if (key.equals(THREAD_NAME)) {
            return Labels.THREAD;
        }
        return names.computeIfAbsent(key, LabelNames::sanitize);
    }

    /** Within the server's label limits; an empty value is no label at all. */
    boolean fits(String name, String value) {
        return !value.isEmpty() && name.length() <= limits.maxNameLength() && value.length() <= limits.maxValueLength();
    }

    int maxLabels() {
        return limits.maxLabels();
    }
}
