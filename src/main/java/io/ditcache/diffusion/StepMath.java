package io.ditcache.diffusion;

/**
 * The float arithmetic shared by the samplers, done as DiT does it: coefficients computed in double, cast to
 * float, then one float operation at a time.
 */
final class StepMath {
    private StepMath() {
    }

    /** x0 = √(1/ᾱ'_i)·x − √(1/ᾱ'_i − 1)·ε (DiT's {@code _predict_xstart_from_eps}). */
    static float[] predictX0(SpacedSchedule s, int step, float[] x, float[] eps) {
        float a = (float) s.sqrtRecipAlphaCumprod(step);
        float b = (float) s.sqrtRecipM1AlphaCumprod(step);
        float[] x0 = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            x0[k] = a * x[k] - b * eps[k];
        }
        return x0;
    }

    /** ε = (√(1/ᾱ'_i)·x − x0) / √(1/ᾱ'_i − 1) (DiT's {@code _predict_eps_from_xstart}). */
    static float[] epsFromX0(SpacedSchedule s, int step, float[] x, float[] x0) {
        float a = (float) s.sqrtRecipAlphaCumprod(step);
        float b = (float) s.sqrtRecipM1AlphaCumprod(step);
        float[] eps = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            eps[k] = (a * x[k] - x0[k]) / b;
        }
        return eps;
    }

    /** p·u + q·w elementwise. */
    static float[] combine(float p, float[] u, float q, float[] w) {
        float[] out = new float[u.length];
        for (int k = 0; k < u.length; k++) {
            out[k] = p * u[k] + q * w[k];
        }
        return out;
    }
}
