package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;

/**
 * The schedule a sampler with N steps runs on (DiT's {@code SpacedDiffusion}): the timestep map and, per spaced
 * index i (0 = least noisy), every coefficient DiT's {@code GaussianDiffusion} precomputes, in double precision.
 *
 * <p>As in DiT, the spaced betas are {@code β'_i = 1 − ᾱ[map[i]]/ᾱ[map[i-1]]} (with ᾱ[map[-1]] = 1) and ᾱ' is then
 * recomputed as {@code cumprod(1 − β')}, which equals {@code ᾱ[map[i]]} up to a few ulps.
 * Index −1 stands for "no noise" (ᾱ' = 1): it is where the last sampling step lands.
 */
public final class SpacedSchedule {
    private final int[] map;
    private final double[] betas;
    private final double[] alphasCumprod;
    private final double[] alphasCumprodPrev;
    private final double[] posteriorVariance;
    private final double[] posteriorLogVarianceClipped;
    private final double[] posteriorMeanCoef1;
    private final double[] posteriorMeanCoef2;

    private SpacedSchedule(NoiseSchedule base, int[] map) {
        int n = map.length;
        this.map = map.clone();
        this.betas = new double[n];
        double last = 1.0;
        for (int i = 0; i < n; i++) {
            double ac = base.alphaCumprod(map[i]);
            betas[i] = 1 - ac / last;
            last = ac;
        }
        this.alphasCumprod = NoiseSchedule.cumprodOneMinus(betas);
        this.alphasCumprodPrev = new double[n];
        this.posteriorVariance = new double[n];
        this.posteriorMeanCoef1 = new double[n];
        this.posteriorMeanCoef2 = new double[n];
        for (int i = 0; i < n; i++) {
            double ac = alphasCumprod[i];
            double prev = i == 0 ? 1.0 : alphasCumprod[i - 1];
            alphasCumprodPrev[i] = prev;
            posteriorVariance[i] = betas[i] * (1.0 - prev) / (1.0 - ac);
            posteriorMeanCoef1[i] = betas[i] * Math.sqrt(prev) / (1.0 - ac);
            posteriorMeanCoef2[i] = (1.0 - prev) * Math.sqrt(1.0 - betas[i]) / (1.0 - ac);
        }
        // The posterior variance is 0 at index 0, so DiT's clipped log repeats entry 1 there. With a single step
        // there is no entry 1; that step adds no noise, so the value is never used and log(β'_0) stands in.
        this.posteriorLogVarianceClipped = new double[n];
        for (int i = 0; i < n; i++) {
            double v = i > 0 ? posteriorVariance[i] : n > 1 ? posteriorVariance[1] : betas[0];
            posteriorLogVarianceClipped[i] = Math.log(v);
        }
    }

    /** The schedule for {@code steps} sampling steps over DiT's 1000-step linear schedule. */
    public static SpacedSchedule create(int steps) {
        return create(NoiseSchedule.linear(), steps);
    }

    public static SpacedSchedule create(NoiseSchedule base, int steps) {
        return new SpacedSchedule(base, Respacing.spaceTimesteps(base.numTimesteps(), steps));
    }

    /** Number of sampling steps N. */
    public int steps() {
        return map.length;
    }

    /** The original timestep the model is called with at spaced index {@code step}. */
    public int timestep(int step) {
        return map[step];
    }

    /** The whole timestep map (a copy), ascending: {@code map[0] = 0}, {@code map[N-1] = T-1}. */
    public int[] timestepMap() {
        return map.clone();
    }

    /** β'_i. */
    public double beta(int step) {
        return betas[step];
    }

    /** ᾱ'_i; {@code step = -1} gives 1 (the clean end point). */
    public double alphaCumprod(int step) {
        return step < 0 ? 1.0 : alphasCumprod[step];
    }

    /** ᾱ'_{i-1}, with ᾱ'_{-1} = 1. */
    public double alphaCumprodPrev(int step) {
        return alphasCumprodPrev[step];
    }

    /** √(1/ᾱ'_i): the coefficient of x in x0 = √(1/ᾱ')·x − √(1/ᾱ'−1)·ε. */
    public double sqrtRecipAlphaCumprod(int step) {
        return Math.sqrt(1.0 / alphasCumprod[step]);
    }

    /** √(1/ᾱ'_i − 1): the coefficient of ε in the x0 prediction. */
    public double sqrtRecipM1AlphaCumprod(int step) {
        return Math.sqrt(1.0 / alphasCumprod[step] - 1);
    }

    /** σ̃²_i = β'_i(1 − ᾱ'_{i-1})/(1 − ᾱ'_i), the variance of q(x_{i-1} | x_i, x0). */
    public double posteriorVariance(int step) {
        return posteriorVariance[step];
    }

    /** log σ̃²_i with entry 0 replaced by entry 1 (DiT's {@code posterior_log_variance_clipped}). */
    public double posteriorLogVarianceClipped(int step) {
        return posteriorLogVarianceClipped[step];
    }

    /** Coefficient of x0 in the posterior mean: β'_i √ᾱ'_{i-1} / (1 − ᾱ'_i). */
    public double posteriorMeanCoef1(int step) {
        return posteriorMeanCoef1[step];
    }

    /** Coefficient of x_i in the posterior mean: (1 − ᾱ'_{i-1}) √(1 − β'_i) / (1 − ᾱ'_i). */
    public double posteriorMeanCoef2(int step) {
        return posteriorMeanCoef2[step];
    }

    /** α_i = √ᾱ'_i of the VP SDE; {@code step = -1} gives 1. */
    public double alpha(int step) {
        return Math.sqrt(alphaCumprod(step));
    }

    /** σ_i = √(1 − ᾱ'_i); {@code step = -1} gives 0. */
    public double sigma(int step) {
        return Math.sqrt(1.0 - alphaCumprod(step));
    }

    /** Half log-SNR λ_i = log(α_i/σ_i) = ½(log ᾱ' − log(1 − ᾱ')); {@code step = -1} gives +∞. */
    public double lambda(int step) {
        double ac = alphaCumprod(step);
        return 0.5 * (Math.log(ac) - Math.log1p(-ac));
    }

    /**
     * The forward process q(x_i | x0): {@code √ᾱ'_i·x0 + √(1−ᾱ'_i)·noise}, with the coefficients cast to float
     * as DiT does ({@code q_sample}). Used to build training inputs.
     */
    public Tensor qSample(Tensor x0, int step, Tensor noise) {
        if (!x0.sameShape(noise)) {
            throw new IllegalArgumentException("qSample: x0 " + x0.shapeString() + " and noise " + noise.shapeString()
                    + " must have the same shape");
        }
        float a = (float) Math.sqrt(alphasCumprod[step]);
        float s = (float) Math.sqrt(1.0 - alphasCumprod[step]);
        float[] x = x0.data();
        float[] z = noise.data();
        float[] out = new float[x.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = a * x[k] + s * z[k];
        }
        return Tensor.of(out, x0.shape());
    }
}
