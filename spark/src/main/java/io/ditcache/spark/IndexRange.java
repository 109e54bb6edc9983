package io.ditcache.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Sample indices [from, to) of a job: the unit of work of one Spark task and of one output shard.
 *
 * @param from the first index
 * @param to   one past the last index
 */
public record IndexRange(long from, long to) implements Serializable {
    public IndexRange {
        if (from < 0 || to <= from || to - from > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("index range [" + from + ", " + to + ") is empty, negative or too long");
        }
    }

    /** [0, n) cut into consecutive ranges of {@code size} indices (the last one shorter where size does not divide n). */
    public static List<IndexRange> split(long n, int size) {
        if (n < 1 || size < 1) {
            throw new IllegalArgumentException("cannot split " + n + " indices into ranges of " + size);
        }
        List<IndexRange> ranges = new ArrayList<>();
        for (long from = 0; from < n; from += size) {
            ranges.add(new IndexRange(from, Math.min(n, from + size)));
        }
        return ranges;
    }

    /** The number of indices. */
    public int size() {
        return (int) (to - from);
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + ")";
    }
}
