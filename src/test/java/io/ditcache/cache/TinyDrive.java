package io.ditcache.cache;

import io.ditcache.diffusion.Denoiser;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.Tensor;

/** A tiny random DiT and a sampler-like drive (steps N-1..0, x moved by each output) for the cache tests. */
final class TinyDrive {
    static final DiTConfig TINY = new DiTConfig("tiny", 3, 32, 4, 2, 4, 8, 10, true, 4);
    static final DiT MODEL = DiT.random(TINY, 7);
    static final int[] LABELS = {3, 8};

    private TinyDrive() {
    }

    static Tensor noise(long seed) {
        Tensor x = Tensor.zeros(LABELS.length, 4, 8, 8);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < x.numel(); i++) {
            x.data()[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    static int timestep(int step, int steps) {
        return step * (1000 / steps);
    }

    /** Runs steps N-1..0 from {@code xT}; x moves by -0.3 * (first 4 output channels); returns the final x. */
    static Tensor drive(Denoiser d, int steps, Tensor xT) {
        Tensor x = xT.copy();
        for (int step = steps - 1; step >= 0; step--) {
            Tensor out = d.predict(x, step, timestep(step, steps));
            x = move(x, out);
        }
        return x;
    }

    static Tensor move(Tensor x, Tensor out) {
        float[] next = x.data().clone();
        int per = x.numel() / x.dim(0);
        int perOut = out.numel() / out.dim(0);
        for (int b = 0; b < x.dim(0); b++) {
            for (int i = 0; i < per; i++) {
                next[b * per + i] -= 0.3f * out.data()[b * perOut + i];
            }
        }
        return Tensor.of(next, x.shape());
    }

    /** The uncached denoiser, straight from the model (reference for the cached one). */
    static Denoiser uncached(float scale) {
        return (x, step, timestep) -> {
            float[] t = new float[x.dim(0)];
            java.util.Arrays.fill(t, timestep);
            if (!(scale > 1)) {
                return MODEL.forward(x, t, LABELS);
            }
            Tensor both = MODEL.forwardWithCfg(x, t, LABELS, scale, UnitRunner.COMPUTE_ALL);
            int[] shape = both.shape();
            shape[0] = x.dim(0);
            return Tensor.of(java.util.Arrays.copyOf(both.data(), both.numel() / 2), shape);
        };
    }
}
