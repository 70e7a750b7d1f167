package io.continuo.server.insights;

import java.util.List;

/** Looks at one tenant's stored profiles and metrics over [from, until) and reports what it finds. Stateless. */
interface Detector {
    List<Insight> detect(StoreView view, long fromMillis, long untilMillis);
}
