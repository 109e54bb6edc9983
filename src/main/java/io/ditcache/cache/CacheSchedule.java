package io.ditcache.cache;

import io.ditcache.tensor.Tensor;

/**
 * The per-trajectory decisions of a {@link CachePolicy}. The {@link CachedDenoiser} asks
 * {@link #compute(int, int)} for each unit in execution order (units 0, 1, 2, ... of one step, steps from N-1
 * down to 0) and reports every computed output through {@link #computed}, so adaptive policies can look at what
 * this step has produced so far. A "reuse" answer for a unit whose cache slot is still empty is overridden.
 */
public interface CacheSchedule {
    /** Whether {@code unit} should be computed at spaced step {@code step}. */
    boolean compute(int step, int unit);

    /** The fresh output [forwardBatch, tokens, hidden] of a computed unit. */
    default void computed(int step, int unit, Tensor output) {
    }
}
