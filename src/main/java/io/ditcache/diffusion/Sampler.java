package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;

/**
 * A reverse-diffusion sampler over a fixed respaced schedule. It visits the spaced indices N-1, N-2, …, 0 and
 * calls the {@link Denoiser} exactly once at each, with {@code (step = i, timestep = map[i])}.
 */
public interface Sampler {
    /**
     * Runs the whole reverse process from {@code xT} (pure noise, {@code [B, C, H, W]}, left unchanged) and
     * returns the clean sample x0 of the same shape.
     */
    Tensor sample(Denoiser denoiser, Tensor xT, SampleListener listener);

    default Tensor sample(Denoiser denoiser, Tensor xT) {
        return sample(denoiser, xT, SampleListener.NONE);
    }

    /** A short name, e.g. {@code "ddim"}; {@link Samplers#create} accepts it back. */
    String name();

    /** The schedule it runs on. */
    SpacedSchedule schedule();

    /** Number of steps N (= model calls per sample). */
    default int steps() {
        return schedule().steps();
    }

    /** The timestep map: {@code timestepMap()[i]} is the model timestep at spaced index i. */
    default int[] timestepMap() {
        return schedule().timestepMap();
    }

    /** The spaced indices in the order they are visited: N-1, …, 0. */
    default int[] stepOrder() {
        int n = steps();
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = n - 1 - k;
        }
        return order;
    }
}
