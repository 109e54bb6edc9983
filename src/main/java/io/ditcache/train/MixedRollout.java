package io.ditcache.train;

import io.ditcache.cache.FeatureCache;
import io.ditcache.diffusion.DdimSampler;
import io.ditcache.model.DiT;
import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;

/**
 * HarmoniCa's training-time sampling with a soft cache, gradient-free: the CFG forward on [x; x] with labels
 * [y; null] at guidance {@code cfg}, DDIM steps driven by the conditional half of the output (as DiT's sampler
 * keeps the first half), and a {@link FeatureCache} over the whole 2B batch.
 * <ul>
 *   <li>The first sampling step (N-1) computes every unit and fills the cache (reset at trajectory start).</li>
 *   <li>Later steps mix {@code u = w fresh + (1 − w) cached} with the given soft weights (not thresholded) and
 *       overwrite a slot with u only where {@code w > τ}.</li>
 * </ul>
 * Used by SDT for its first step and by IEPO's λ generations. Not thread-safe (one cache).
 */
final class MixedRollout {
    private final DiT model;
    private final DdimSampler ddim;
    private final float cfg;
    private double tau;
    private final FeatureCache cache;

    MixedRollout(DiT model, DdimSampler ddim, float cfg, double tau) {
        this.model = model;
        this.ddim = ddim;
        this.cfg = cfg;
        this.tau = tau;
        this.cache = new FeatureCache(model.config().units());
    }

    void setTau(double t) {
        tau = t;
    }

    FeatureCache cache() {
        return cache;
    }

    /** The cached tensors as the array a {@code UnitMix} reads. */
    Tensor[] slots() {
        Tensor[] s = new Tensor[cache.units()];
        for (int k = 0; k < s.length; k++) {
            s[k] = cache.get(k);
        }
        return s;
    }

    /** {@code [B, ...]} timesteps {@code map[step]} for a batch of {@code batch}. */
    float[] timesteps(int step, int batch) {
        float[] t = new float[batch];
        Arrays.fill(t, ddim.schedule().timestep(step));
        return t;
    }

    /** Starts a trajectory: empties the cache, runs the full first step, returns x_{N-2}. */
    Tensor firstStep(Tensor xT, int[] y) {
        cache.reset();
        int step = ddim.schedule().steps() - 1;
        UnitRunner fill = (k, fresh) -> {
            Tensor u = fresh.get();
            cache.put(k, u);
            return u;
        };
        Tensor out = model.forwardWithCfg(xT, timesteps(step, y.length), y, cfg, fill);
        return ddim.step(xT, conditionalHalf(out), step);
    }

    /** One gradient-free mixed step at {@code step} with weights {@code w} (length 2*depth); returns x_{step-1}. */
    Tensor mixedStep(Tensor x, int[] y, int step, float[] w) {
        UnitRunner mix = (k, fresh) -> {
            float[] f = fresh.get().data();
            float[] c = cache.get(k).data();
            float wk = w[k];
            float om = 1f - wk;
            float[] u = new float[f.length];
            for (int i = 0; i < u.length; i++) {
                u[i] = wk * f[i] + om * c[i];
            }
            Tensor ut = Tensor.of(u, cache.get(k).shape());
            if (wk > tau) {
                cache.put(k, ut);
            }
            return ut;
        };
        Tensor out = model.forwardWithCfg(x, timesteps(step, y.length), y, cfg, mix);
        return ddim.step(x, conditionalHalf(out), step);
    }

    /** A whole trajectory from {@code xT}: full first step, then {@code weights[i]} at step i = N-2 … 0. */
    Tensor generate(Tensor xT, int[] y, float[][] weights) {
        Tensor x = firstStep(xT, y);
        for (int i = ddim.schedule().steps() - 2; i >= 0; i--) {
            x = mixedStep(x, y, i, weights[i]);
        }
        return x;
    }

    /** The first B rows of a [2B, ...] CFG output. */
    static Tensor conditionalHalf(Tensor out) {
        int[] shape = out.shape();
        shape[0] = shape[0] / 2;
        return Tensor.of(Arrays.copyOf(out.data(), out.numel() / 2), shape);
    }
}
