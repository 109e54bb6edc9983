package io.ditcache.nn;

import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * LayerNorm without affine parameters (DiT's {@code elementwise_affine=False}, eps 1e-6) over rows of width d.
 * The forward takes two passes (mean, then centred variance) on the Vector API; the backward recomputes mean and
 * 1/std from the saved input instead of keeping the normalised output.
 */
public final class LayerNorm {
    public static final float EPS = 1e-6f;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private LayerNorm() {
    }

    /** x [rows, d]  ->  out [rows, d] = (x - mean) / sqrt(var + eps); out may be x. */
    public static void forward(float[] x, float[] out, int rows, int d) {
        Parallel.parallelFor(0, rows, r -> {
            int o = r * d;
            int j = 0;
            FloatVector acc = FloatVector.zero(S);
            for (; j <= d - L; j += L) {
                acc = acc.add(FloatVector.fromArray(S, x, o + j));
            }
            float sum = VectorMath.sum(acc);
            for (; j < d; j++) {
                sum += x[o + j];
            }
            float mean = sum / d;
            FloatVector m = FloatVector.broadcast(S, mean);
            acc = FloatVector.zero(S);
            for (j = 0; j <= d - L; j += L) {
                FloatVector c = FloatVector.fromArray(S, x, o + j).sub(m);
                acc = c.fma(c, acc);
            }
            float var = VectorMath.sum(acc);
            for (; j < d; j++) {
                float c = x[o + j] - mean;
                var += c * c;
            }
            float inv = (float) (1.0 / Math.sqrt(var / d + EPS));
            FloatVector vinv = FloatVector.broadcast(S, inv);
            for (j = 0; j <= d - L; j += L) {
                FloatVector.fromArray(S, x, o + j).sub(m).mul(vinv).intoArray(out, o + j);
            }
            for (; j < d; j++) {
                out[o + j] = (x[o + j] - mean) * inv;
            }
        });
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
