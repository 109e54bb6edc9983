package io.ditcache.diffusion;

/**
 * The base diffusion schedule DiT was trained with: linear betas from 1e-4 to 0.02 over 1000 steps and their
 * cumulative products, all in double precision as DiT's numpy code computes them.
 */
public final class NoiseSchedule {
    /** Number of training timesteps of every DiT checkpoint. */
    public static final int TRAINING_STEPS = 1000;
    public static final double BETA_START = 1e-4;
    public static final double BETA_END = 0.02;

    private final double[] betas;
    private final double[] alphasCumprod;

    private NoiseSchedule(double[] betas) {
        this.betas = betas;
        this.alphasCumprod = cumprodOneMinus(betas);
    }

    /** DiT's "linear" schedule over 1000 steps. */
    public static NoiseSchedule linear() {
        return linear(TRAINING_STEPS);
    }

    /**
     * DiT's "linear" schedule over {@code numTimesteps} steps: betas scaled by {@code 1000/numTimesteps}, as in
     * {@code get_named_beta_schedule("linear", T)}.
     */
    public static NoiseSchedule linear(int numTimesteps) {
        if (numTimesteps < 2) {
            throw new IllegalArgumentException("a linear noise schedule needs at least 2 timesteps, got " + numTimesteps);
        }
        double scale = 1000.0 / numTimesteps;
        return new NoiseSchedule(linspace(scale * BETA_START, scale * BETA_END, numTimesteps));
    }

    /** {@code numpy.linspace(start, stop, num)} bit for bit: {@code i * step + start}, with the last entry set to stop. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** {@code numpy.cumprod(1 - betas)}, a sequential product. */
    static double[] cumprodOneMinus(double[] betas) {
        double[] out = new double[betas.length];
        double acc = 1.0;
        for (int i = 0; i < betas.length; i++) {
            acc *= 1.0 - betas[i];
            out[i] = acc;
        }
        return out;
    }

    public int numTimesteps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[t];
    }

    /** ᾱ_t = Π_{s≤t} (1 − β_s). */
    public double alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    public double[] betas() {
        return betas.clone();
    }

    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }
}
