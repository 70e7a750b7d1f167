package io.continuo.store;

import io.continuo.model.Profile;

import java.util.List;

/**
 * One upload, ready to store: the source profile (its frame and stack tables) and the rows taken from it.
 *
 * @param tenant      tenant id ("default" when none)
 * @param fromMillis  start of the profiled window
 * @param untilMillis end of the profiled window (at least fromMillis)
 * @param source      the decoded profile whose FrameTable/StackTable the rows' stack indexes refer to
 * @param series      aggregated rows per series (labels without trace/span ids)
 * @param traces      rows that carry a trace_id/span_id, stored in their own table
 */
public record WriteBatch(String tenant, long fromMillis, long untilMillis, Profile source,
                         List<SeriesRows> series, List<TraceRows> traces) {
}
