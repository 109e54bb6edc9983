package io.ditcache.vae;

import io.ditcache.tensor.GroupNorm;

/** A GroupNorm layer's parameters: scale and shift per channel, the group count and eps. */
record Norm(float[] gamma, float[] beta, int groups, float eps) {
    /** y = GroupNorm(x) on [batch, pixels, channels], then SiLU if {@code silu}; in place allowed. */
    void apply(float[] x, float[] y, int batch, int pixels, boolean silu) {
        GroupNorm.forward(x, y, batch, pixels, gamma.length, groups, eps, gamma, beta, silu);
    }
}
