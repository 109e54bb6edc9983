package io.ditcache.nn;

import io.ditcache.tensor.Parallel;

/** Splits element-wise loops over the worker pool in fixed-size chunks. */
final class Elementwise {
    private static final int CHUNK = 1 << 14;

    /** A kernel over the half-open element range [lo, hi). */
    interface RangeKernel {
        void apply(int lo, int hi);
    }

    private Elementwise() {
    }

    static void forEachChunk(int n, RangeKernel kernel) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.parallelFor(0, chunks, c -> kernel.apply(c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
    }
}
