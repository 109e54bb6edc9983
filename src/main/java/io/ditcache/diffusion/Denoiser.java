package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;

/**
 * The one seam between samplers and the network: a sampler calls {@link #predict} exactly once per step, so a
 * feature cache, guidance or a training hook can wrap the model without the sampler knowing.
 */
@FunctionalInterface
public interface Denoiser {
    /**
     * The model output for the noisy batch {@code x} of shape {@code [B, C, H, W]}.
     *
     * @param step     spaced index i (0 = least noisy, N-1 = pure noise); cache plans and routers index by it
     * @param timestep the original timestep {@code map[i]} in 0..999, what the network is conditioned on
     * @return {@code [B, C, H, W]} (ε only) or {@code [B, 2C, H, W]} (learned sigma: ε in channels [0, C), the
     *         variance interpolation v in [−1, 1] in channels [C, 2C)); a new tensor, not aliased to {@code x}
     */
    Tensor predict(Tensor x, int step, int timestep);
}
