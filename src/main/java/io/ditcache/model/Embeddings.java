package io.ditcache.model;

/**
 * The fixed (parameter-free) embeddings of DiT: the sinusoidal timestep frequencies and the 2-D sin-cos position
 * table. Both follow facebookresearch/DiT to the rounding: timestep frequencies in float32 with cos before sin,
 * the position table in float64 with the column index in the first half, then cast to float32.
 */
public final class Embeddings {
    /** Width of the sinusoidal timestep features fed to the timestep MLP. */
    public static final int FREQUENCY_DIM = 256;
    private static final double MAX_PERIOD = 10000.0;

    private Embeddings() {
    }

    /** [t.length, dim]: {@code [cos(t*f_k), sin(t*f_k)]}, {@code f_k = exp(-ln(10000) k / (dim/2))}, float32 arithmetic. */
    public static float[] timestepFrequencies(float[] t, int dim) {
        int half = dim / 2;
        float negLog = (float) -Math.log(MAX_PERIOD);
        float[] freqs = new float[half];
        for (int k = 0; k < half; k++) {
            freqs[k] = (float) Math.exp((negLog * k) / half);
        }
        float[] out = new float[t.length * dim];
        for (int b = 0; b < t.length; b++) {
            int o = b * dim;
            for (int k = 0; k < half; k++) {
                float arg = t[b] * freqs[k];
                out[o + k] = (float) Math.cos(arg);
                out[o + half + k] = (float) Math.sin(arg);
            }
        }
        return out;
    }

    /**
     * [grid*grid, hidden] position table. Token n = i*grid + j (row i, column j); with d = hidden/4 and
     * {@code w_k = 10000^(-k/d)}: columns [0,d) sin(j w), [d,2d) cos(j w), [2d,3d) sin(i w), [3d,4d) cos(i w).
     */
    public static float[] posEmbed2d(int hidden, int grid) {
        int d = hidden / 4;
        float[] pe = new float[grid * grid * hidden];
        double[] omega = new double[d];
        for (int k = 0; k < d; k++) {
            omega[k] = 1.0 / Math.pow(MAX_PERIOD, (double) k / d);
        }
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                int o = (i * grid + j) * hidden;
                for (int k = 0; k < d; k++) {
                    pe[o + k] = (float) Math.sin(j * omega[k]);
                    pe[o + d + k] = (float) Math.cos(j * omega[k]);
                    pe[o + 2 * d + k] = (float) Math.sin(i * omega[k]);
                    pe[o + 3 * d + k] = (float) Math.cos(i * omega[k]);
                }
            }
        }
        return pe;
    }
}
