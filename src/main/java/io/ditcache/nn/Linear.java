package io.ditcache.nn;

import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.Parallel;

/**
 * A PyTorch Linear on row-major arrays, W stored [out, in]. Forward is {@link Gemm#linearInto} itself, so callers
 * reproduce the inference path bit for bit; backward is three GEMM-shaped updates through {@link Gemm#matmul}.
 */
public final class Linear {
    private static final int COLUMN_CHUNK = 64;

    private Linear() {
    }

    /** x [rows, in], w [out, in], b [out] or null  ->  y [rows, out] = x W^T + b. */
    public static void forward(float[] x, int rows, int in, float[] w, float[] b, int out, float[] y) {
        Gemm.linearInto(x, rows, in, w, b, out, y);
    }

    /**
     * dY [rows, out], x [rows, in], w [out, in]:
     * dX [rows, in] = dY W (or {@code +=} with {@code accumulateDx}); dW [out, in] += dY^T X; db [out] += sum_rows dY.
     * Each of dX, dW, db may be null when not wanted; x is only read when dW is wanted.
     */
    public static void backward(float[] dY, float[] x, float[] w, int rows, int in, int out,
                                float[] dX, boolean accumulateDx, float[] dW, float[] db) {
        if (dX != null) {
            Gemm.matmul(dY, 0, w, 0, dX, 0, rows, in, out, false, false, accumulateDx);
        }
        if (dW != null) {
            Gemm.matmul(dY, 0, x, 0, dW, 0, out, in, rows, true, false, true);
        }
        if (db != null) {
            sumRowsInto(dY, rows, out, db);
        }
    }

    /** acc[n] += sum over rows of a [rows, n], column chunks in parallel, double accumulation per column. */
    static void sumRowsInto(float[] a, int rows, int n, float[] acc) {
        int chunks = (n + COLUMN_CHUNK - 1) / COLUMN_CHUNK;
        Parallel.parallelFor(0, chunks, c -> {
            int lo = c * COLUMN_CHUNK;
            int hi = Math.min(n, lo + COLUMN_CHUNK);
            double[] s = new double[hi - lo];
            for (int r = 0; r < rows; r++) {
                int o = r * n;
                for (int j = lo; j < hi; j++) {
                    s[j - lo] += a[o + j];
                }
            }
            for (int j = lo; j < hi; j++) {
                acc[j] += (float) s[j - lo];
            }
        });
    }
}
