package io.continuo.store;

import io.continuo.model.Labels;
import io.continuo.model.ProfileType;

/**
 * The (stack, value) pairs of one series in one upload. {@code stacks[i]} indexes the batch's source StackTable.
 *
 * @param labels series labels, always including {@code service}
 */
public record SeriesRows(Labels labels, ProfileType type, int[] stacks, long[] values, int count) {
}
