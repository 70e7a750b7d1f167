package io.continuo.server.insights;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.model.FlameTree;
import io.continuo.model.FunctionStat;
import io.continuo.model.LabelMatcher;
import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.server.ServerConfig;
import io.continuo.server.http.Json;
import io.continuo.store.ProfileQuery;
import io.continuo.store.TimeSeries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Alert rules, their alerts and silences. Each evaluation turns every rule into a set of matching label sets; an
 * alert (one per rule and label set, identified by a fingerprint) is pending while its condition holds for less than
 * the rule's {@code for}, then firing; it resolves when the condition stops holding. Firing and resolved are each
 * notified once per fingerprint (deduplicated), unless a silence matches. Methods are synchronized: the scheduler
 * and the API share this state; an evaluation holds the lock only to apply its outcome, never for its store queries.
 */
public final class AlertManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertManager.class);
    private static final long KEEP_RESOLVED_MS = 3_600_000L;

    private final StoreView view;
    private final LongSupplier clock;
    private final WebhookNotifier notifier;
    private static final String SILENCES_FILE = "silences.json";
    private final Path stateFile;
    private final Path silencesFile;
    private final Map<String, AlertRule> fileRules = new TreeMap<>();
    private final Map<String, AlertRule> apiRules = new TreeMap<>();
    private final List<String> webhooks = new ArrayList<>();
    private final Map<String, Alert> alerts = new LinkedHashMap<>();
    private final Map<String, Silence> silences = new LinkedHashMap<>();
    private int silenceSeq;
    /** Held for a whole evaluation round (store queries included), never by readers: rounds run one at a time. */
    private final Object evaluating = new Object();

    /** One alert's state; {@code state} is pending, firing or resolved. */
    record Alert(String fingerprint, String rule, Map<String, String> labels, String state, long activeSince,
                 long firedAt, long resolvedAt, double value, String severity, String summary, String link,
                 List<Insight.Culprit> culprits, boolean silenced) {
        Alert withSilenced(boolean on) {
            return on == silenced ? this : new Alert(fingerprint, rule, labels, state, activeSince, firedAt, resolvedAt,
                    value, severity, summary, link, culprits, on);
        }
    }

    record Silence(String id, String matchers, long until, String comment, long createdAt) {
    }

    private record Match(Map<String, String> labels, double value, String summary, String link, List<Insight.Culprit> culprits) {
    }

    AlertManager(StoreView view, LongSupplier clock, WebhookNotifier notifier, InsightsConfig config) {
        this(view, clock, notifier, config, config.rulesStateFile(), true);
    }

    /**
     * One tenant's alerting. Rules of the {@code --alert-rules} file ({@code withFileRules}) belong to the default
     * tenant; every tenant keeps its API rules and silences in its own {@code stateFile}'s directory.
     */
    AlertManager(StoreView view, LongSupplier clock, WebhookNotifier notifier, InsightsConfig config, Path stateFile,
                 boolean withFileRules) {
        this.view = view;
        this.clock = clock;
        this.notifier = notifier;
        this.stateFile = stateFile;
        webhooks.addAll(config.webhooks());
        if (withFileRules && config.alertRulesFile() != null) {
            loadFile(config.alertRulesFile());
        }
        this.silencesFile = stateFile == null ? null : stateFile.resolveSibling(SILENCES_FILE);
        if (stateFile != null && Files.exists(stateFile)) {
            try {
                for (JsonNode n : Json.MAPPER.readTree(stateFile.toFile())) {
                    AlertRule r = AlertRule.fromJson(n);
                    apiRules.put(r.id(), r);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not read alert rules from {}: {}", stateFile, e.getMessage());
            }
        }
        loadSilences();
    }

    /** Silences outlive a restart: a maintenance window set before a deploy must not end with the deploy. */
    private void loadSilences() {
        if (silencesFile == null || !Files.exists(silencesFile)) {
            return;
        }
        long now = clock.getAsLong();
        try {
            for (JsonNode n : Json.MAPPER.readTree(silencesFile.toFile())) {
                Silence s = new Silence(n.path("id").asText(), n.path("matchers").asText(), n.path("until").asLong(),
                        n.path("comment").asText(""), n.path("createdAt").asLong());
                Selector.parse(s.matchers());
                silenceSeq = Math.max(silenceSeq, sequenceOf(s.id()));
                if (s.until() > now) {
                    silences.put(s.id(), s);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not read silences from {}: {}", silencesFile, e.getMessage());
        }
    }

    private static int sequenceOf(String id) {
        try {
            return id.startsWith("s") ? Integer.parseInt(id.substring(1)) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@code {"webhooks":["http://..."], "rules":[{...}]}}; a bad file stops the server with a message naming it. */
    private void loadFile(Path file) {
        try {
            JsonNode root = Json.MAPPER.readTree(file.toFile());
            for (JsonNode w : root.path("webhooks")) {
                webhooks.add(w.isObject() ? w.path("url").asText() : w.asText());
            }
            for (JsonNode n : root.path("rules")) {
                AlertRule r = AlertRule.fromJson(n);
                fileRules.put(r.id(), r);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --alert-rules " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid --alert-rules " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized List<AlertRule> rules() {
        Map<String, AlertRule> all = new TreeMap<>(fileRules);
        all.putAll(apiRules);
        return new ArrayList<>(all.values());
    }

    synchronized List<String> webhooks() {
        return List.copyOf(webhooks);
    }

    synchronized void putRule(AlertRule rule) {
        apiRules.put(rule.id(), rule);
        persist();
    }

    /** Removes an API rule; rules of the file can only change in the file. Returns whether one was removed. */
    synchronized boolean deleteRule(String id) {
        if (fileRules.containsKey(id) && !apiRules.containsKey(id)) {
            throw new IllegalStateException("rule '" + id + "' comes from the --alert-rules file; edit the file to remove it");
        }
        boolean removed = apiRules.remove(id) != null;
        if (removed) {
            alerts.values().removeIf(a -> a.rule().equals(id));
            persist();
        }
        return removed;
    }

    private void persist() {
        List<Map<String, Object>> out = new ArrayList<>();
        apiRules.values().forEach(r -> out.add(r.toJson()));
        writeAtomically(stateFile, out, "alert rules");
    }

    private void persistSilences() {
        writeAtomically(silencesFile, new ArrayList<>(silences.values()), "silences");
    }

    /** Write-then-rename, so a crash mid-write leaves the previous file whole. */
    private static void writeAtomically(Path file, Object json, String what) {
        if (file == null) {
            return;
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.createDirectories(file.toAbsolutePath().getParent());
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), json);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + what + " to " + file, e);
        }
    }

    synchronized Silence silence(String matchers, long until, String comment) {
        Selector.parse(matchers);
        long now = clock.getAsLong();
        if (until <= now) {
            throw new IllegalArgumentException("a silence's 'until' must be in the future");
        }
        Silence s = new Silence("s" + (++silenceSeq), matchers, until, comment == null ? "" : comment, now);
        silences.put(s.id(), s);
        persistSilences();
        return s;
    }

    synchronized boolean deleteSilence(String id) {
        boolean removed = silences.remove(id) != null;
        if (removed) {
            persistSilences();
        }
        return removed;
    }

    synchronized List<Silence> silences() {
        long now = clock.getAsLong();
        silences.values().removeIf(s -> s.until() <= now);
        return new ArrayList<>(silences.values());
    }

    /** Whether anything here needs the scheduler: a rule to evaluate, or alerts to resolve. */
    synchronized boolean active() {
        return !fileRules.isEmpty() || !apiRules.isEmpty() || !alerts.isEmpty();
    }

    /** The alerts, each silenced or not by the silences in force now (a new or expired silence shows at once). */
    synchronized List<Alert> alerts() {
        long now = clock.getAsLong();
        List<Alert> out = new ArrayList<>(alerts.size());
        for (Alert a : alerts.values()) {
            out.add(a.withSilenced(silenced(a.labels(), a.rule(), now)));
        }
        return out;
    }

    /**
     * One round: every rule against the insights just found and the store's recent totals. The rules' store queries
     * run outside this object's lock (they can take seconds, and {@code GET /alerts} and the rule and silence
     * endpoints need the lock); only applying their outcome to the alerts holds it. Rounds do not overlap.
     */
    void evaluate(List<Insight> insights) {
        synchronized (evaluating) {
            long now = clock.getAsLong();
            Map<AlertRule, List<Match>> outcome = new LinkedHashMap<>();
            for (AlertRule rule : rules()) {
                try {
                    outcome.put(rule, matches(rule, insights, now));
                } catch (RuntimeException e) {
                    LOG.warn("alert rule {} could not be evaluated", rule.id(), e);
                }
            }
            apply(outcome, now);
        }
    }

    /** The state change of one round, under the lock: short, no store calls. */
    private synchronized void apply(Map<AlertRule, List<Match>> outcome, long now) {
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (Map.Entry<AlertRule, List<Match>> ruleMatches : outcome.entrySet()) {
            AlertRule rule = ruleMatches.getKey();
            if (!fileRules.containsKey(rule.id()) && !apiRules.containsKey(rule.id())) {
                continue; // deleted while its queries ran
            }
            for (Match m : ruleMatches.getValue()) {
                String fp = fingerprint(rule.id(), m.labels());
                seen.put(fp, true);
                Alert old = alerts.get(fp);
                long since = old != null && !old.state().equals("resolved") ? old.activeSince() : now;
                boolean firing = now - since >= rule.forMillis();
                boolean silenced = silenced(m.labels(), rule.id(), now);
                String state = firing ? "firing" : "pending";
                long firedAt = old != null && old.state().equals("firing") ? old.firedAt() : firing ? now : 0;
                Alert a = new Alert(fp, rule.id(), m.labels(), state, since, firedAt, 0, m.value(), rule.severity(),
                        m.summary(), m.link(), m.culprits(), silenced);
                alerts.put(fp, a);
                if (firing && (old == null || !old.state().equals("firing")) && !silenced) {
                    notify(a, "firing");
                }
            }
        }
        for (Map.Entry<String, Alert> e : new ArrayList<>(alerts.entrySet())) {
            Alert a = e.getValue();
            if (seen.containsKey(e.getKey())) {
                continue;
            }
            if (a.state().equals("firing")) {
                Alert resolved = new Alert(a.fingerprint(), a.rule(), a.labels(), "resolved", a.activeSince(), a.firedAt(),
                        now, a.value(), a.severity(), a.summary(), a.link(), a.culprits(), silenced(a.labels(), a.rule(), now));
                alerts.put(e.getKey(), resolved);
                if (!resolved.silenced()) {
                    notify(resolved, "resolved");
                }
            } else if (a.state().equals("pending") || now - a.resolvedAt() > KEEP_RESOLVED_MS) {
                alerts.remove(e.getKey());
            }
        }
    }

    private List<Match> matches(AlertRule rule, List<Insight> insights, long now) {
        List<Match> out = new ArrayList<>();
        Selector sel = rule.selector();
        if (rule.condition().equals(AlertRule.INSIGHT)) {
            for (Insight i : insights) {
                Map<String, String> labels = new TreeMap<>(i.labels());
                labels.put("kind", i.kind());
                labels.put("type", i.type());
                boolean kind = rule.insightKind().equals("*") || rule.insightKind().equals(i.kind());
                if (kind && Insight.severityRank(i.severity()) >= Insight.severityRank(rule.minSeverity())
                        && sel.matches(Labels.of(labels))) {
                    out.add(new Match(labels, Insight.severityRank(i.severity()), i.summary(), i.link(), i.culprits()));
                }
            }
            return out;
        }
        long from = now - rule.windowMillis();
        for (String service : view.services(sel, from, now)) {
            Selector s = sel.and(LabelMatcher.of(Labels.SERVICE, LabelMatcher.Op.EQ, service));
            double value;
            String what;
            if (rule.condition().equals(AlertRule.TOTAL)) {
                double sum = 0;
                for (TimeSeries ts : view.store.totals(new ProfileQuery(view.tenant, rule.type(), s, from, now), rule.windowMillis(), List.of())) {
                    for (double v : ts.values()) {
                        sum += v;
                    }
                }
                value = sum / (rule.windowMillis() / 1000.0);
                what = rule.type() + " of " + service + " is " + Fmt.value(value, rule.type()) + "/s";
            } else {
                FlameTree tree = view.store.flameGraph(new ProfileQuery(view.tenant, rule.type(), s, from, now));
                value = 0;
                for (FunctionStat f : tree.topFunctions(0)) {
                    if (f.name().equals(rule.function()) && tree.total() > 0) {
                        value = f.total() / (double) tree.total();
                    }
                }
                what = rule.function() + " is " + Fmt.percent(value) + " of " + rule.type() + " in " + service;
            }
            boolean hit = rule.op().equals(">") ? value > rule.threshold() : value < rule.threshold();
            if (hit) {
                Map<String, String> labels = new TreeMap<>();
                labels.put(Labels.SERVICE, service);
                labels.put("type", rule.type());
                String link = "/explore?service=" + java.net.URLEncoder.encode(service, java.nio.charset.StandardCharsets.UTF_8)
                        + "&type=" + rule.type() + "&from=" + from + "&until=" + now;
                out.add(new Match(labels, value, what + " (threshold " + rule.op() + " " + rule.threshold() + ").",
                        link, List.of()));
            }
        }
        return out;
    }

    private boolean silenced(Map<String, String> labels, String rule, long now) {
        Map<String, String> withRule = new TreeMap<>(labels);
        withRule.put("alertname", rule);
        Labels l = Labels.of(withRule);
        for (Silence s : silences.values()) {
            if (s.until() > now && Selector.parse(s.matchers()).matches(l)) {
                return true;
            }
        }
        return false;
    }

    static String fingerprint(String rule, Map<String, String> labels) {
        long h = Labels.of(new TreeMap<>(labels)).with("alertname", rule).fingerprint();
        return HexFormat.of().toHexDigits(h);
    }

    private void notify(Alert a, String status) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("version", "1");
        p.put("status", status);
        p.put("fingerprint", a.fingerprint());
        p.put("tenant", view == null ? ServerConfig.DEFAULT_TENANT : view.tenant);
        p.put("rule", a.rule());
        p.put("severity", a.severity());
        p.put("labels", a.labels());
        p.put("summary", a.summary());
        p.put("value", a.value());
        p.put("startsAt", a.firedAt());
        p.put("endsAt", a.resolvedAt());
        p.put("link", a.link());
        p.put("culprits", a.culprits());
        notifier.send(webhooks(), p);
    }

    @Override
    public void close() {
        notifier.close();
    }
}
