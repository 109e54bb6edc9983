package io.ditcache.nn;

import io.ditcache.tensor.Ops;
import io.ditcache.tensor.Parallel;

/**
 * LayerNorm without affine parameters (DiT's {@code elementwise_affine=False}, eps 1e-6) over rows of width d.
 * The backward recomputes mean and 1/std from the saved input instead of keeping the normalised output.
 */
public final class LayerNorm {
    public static final float EPS = 1e-6f;

    private LayerNorm() {
    }

    /** x [rows, d]  ->  out [rows, d] = (x - mean) / sqrt(var + eps); out may be x. */
    public static void forward(float[] x, float[] out, int rows, int d) {
        Ops.layerNorm(x, out, rows, d, EPS);
    }

    /**
     * dOut, x [rows, d]  ->  dX [rows, d] = rstd (dOut - mean(dOut) - xhat mean(dOut xhat)), written or, with
     * {@code accumulate}, added. dX may alias dOut only when not accumulating.
     */
    public static void backward(float[] dOut, float[] x, float[] dX, int rows, int d, boolean accumulate) {
        Parallel.parallelFor(0, rows, r -> {
            int o = r * d;
            double mean = 0;
            for (int j = 0; j < d; j++) {
                mean += x[o + j];
            }
            mean /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double c = x[o + j] - mean;
                var += c * c;
            }
            var /= d;
            double rstd = 1.0 / Math.sqrt(var + EPS);
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int j = 0; j < d; j++) {
                double g = dOut[o + j];
                sumDy += g;
                sumDyXhat += g * (x[o + j] - mean) * rstd;
            }
            float meanDy = (float) (sumDy / d);
            float meanDyXhat = (float) (sumDyXhat / d);
            float m = (float) mean;
            float rs = (float) rstd;
            for (int j = 0; j < d; j++) {
                float xhat = (x[o + j] - m) * rs;
                float g = rs * (dOut[o + j] - meanDy - xhat * meanDyXhat);
                dX[o + j] = accumulate ? dX[o + j] + g : g;
            }
        });
    }
}
