package io.ditcache.model;

import io.ditcache.tensor.Tensor;
import java.util.function.Supplier;

/**
 * The seam through which the DiT forward obtains each cache unit's output. Unit {@code 2i} is the attention
 * branch of block i and unit {@code 2i+1} its MLP branch, both after the output projection and before the gate
 * (the L2C/HarmoniCa numbering). A runner may call {@code fresh} to compute the unit, or return a stored tensor
 * of shape [batch, tokens, hidden]. Gates, LayerNorms, adaLN, embeddings and the final layer always run.
 */
@FunctionalInterface
public interface UnitRunner {
    /** Always computes and keeps nothing: the plain uncached forward. */
    UnitRunner COMPUTE_ALL = keepingNothing((unit, fresh) -> fresh.get());

    Tensor run(int unit, Supplier<Tensor> fresh);

    /**
     * Whether this runner may keep a fresh unit beyond its call ({@code true} unless overridden): if not, the forward
     * computes units into a reused buffer, which the next unit overwrites.
     */
    default boolean keepsUnits() {
        return true;
    }

    /** {@code runner}, declaring that it keeps no unit beyond its call ({@link #keepsUnits()} false). */
    static UnitRunner keepingNothing(UnitRunner runner) {
        return new UnitRunner() {
            @Override
            public Tensor run(int unit, Supplier<Tensor> fresh) {
                return runner.run(unit, fresh);
            }

            @Override
            public boolean keepsUnits() {
                return false;
            }
        };
    }
}
