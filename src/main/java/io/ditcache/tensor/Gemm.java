package io.ditcache.tensor;

/**
 * General matrix multiply on row-major float arrays: {@code C[M,N] = op(A)[M,K] * op(B)[K,N] (+ C)}.
 * {@code op(A)} is A or its transpose (then A is stored [K,M]); likewise B (stored [N,K] when transposed,
 * which is the layout of a PyTorch Linear weight). Used by the forward pass and, with the other transposes,
 * by the backward pass.
 */
public final class Gemm {
    private Gemm() {
    }

    /**
     * @param transA A is stored as [K,M] row-major
     * @param transB B is stored as [N,K] row-major
     * @param accumulate add into C instead of overwriting it
     */
    public static void matmul(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                              int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        Parallel.parallelFor(0, m, i -> {
            int ci = cOff + i * n;
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    float bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    s += av * bv;
                }
                c[ci + j] = accumulate ? c[ci + j] + s : s;
            }
        });
    }

    /**
     * A linear layer: {@code y[rows, out] = x[rows, in] * W^T + bias}, with W stored [out, in] as in PyTorch.
     * {@code bias} may be null.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int in = weight.dim(1);
        int out = weight.dim(0);
        if (x.dim(-1) != in) {
            throw new IllegalArgumentException("linear: input " + x.shapeString() + " does not match weight " + weight.shapeString());
        }
        int rows = x.numel() / in;
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        Tensor y = Tensor.zeros(shape);
        linearInto(x.data(), rows, in, weight.data(), bias == null ? null : bias.data(), out, y.data());
        return y;
    }

    /** {@code y[rows,out] = x[rows,in] * W^T + bias} into a preallocated array. */
    public static void linearInto(float[] x, int rows, int in, float[] w, float[] bias, int out, float[] y) {
        matmul(x, 0, w, 0, y, 0, rows, out, in, false, true, false);
        if (bias != null) {
            Ops.addRowBias(y, rows, out, bias);
        }
    }
}
