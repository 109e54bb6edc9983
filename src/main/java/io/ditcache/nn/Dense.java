package io.ditcache.nn;

import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.Parallel;

/**
 * A fully connected layer, forward and backward side by side (llm.c's {@code matmul_forward/backward}):
 * {@code out[rows, outF] = in[rows, inF] * W^T + bias}, W stored [outF, inF] as a PyTorch Linear weight.
 * The same maths as {@link Linear}, but every product goes through {@link Gemm#matmul} in its "A times
 * B-transposed" form, whose inner loop reads both operands contiguously; the backward makes the transposed copies
 * this needs. With the current scalar Gemm that makes the backward about 5x faster than {@link Linear#backward}
 * on conv2's shapes (16384 x 144 x 32), which is what keeps classifier training within minutes on 2 cores.
 * Fold into {@link Linear} once Gemm packs transposed operands itself. {@link Conv2d} is this layer applied to
 * im2col rows.
 */
public final class Dense {
    private Dense() {
    }

    /**
     * out[rows, outF] = in[rows, inF] * weight[outF, inF]^T + bias[outF] (bias may be null). Overwrites {@code out}.
     */
    public static void forward(float[] out, float[] in, float[] weight, float[] bias, int rows, int inF, int outF) {
        Gemm.matmul(in, 0, weight, 0, out, 0, rows, outF, inF, false, true, false);
        if (bias != null) {
            Parallel.parallelFor(0, rows, r -> {
                int o = r * outF;
                for (int j = 0; j < outF; j++) {
                    out[o + j] += bias[j];
                }
            });
        }
    }

    /**
     * Gradients of {@link #forward}, ADDED into dIn[rows, inF] (skipped when null), dWeight[outF, inF] and
     * dBias[outF] (skipped when null), given dOut[rows, outF] and the forward's {@code in} and {@code weight}.
     * <pre>
     * dIn     += dOut[rows, outF] * W[outF, inF]
     * dWeight += dOut^T[outF, rows] * in[rows, inF]
     * dBias   += sum over rows of dOut
     * </pre>
     */
    public static void backward(float[] dIn, float[] dWeight, float[] dBias, float[] dOut, float[] in, float[] weight,
                                int rows, int inF, int outF) {
        if (dIn != null) {
            float[] weightT = transpose(weight, outF, inF);
            Gemm.matmul(dOut, 0, weightT, 0, dIn, 0, rows, inF, outF, false, true, true);
        }
        float[] dOutT = transpose(dOut, rows, outF);
        float[] inT = transpose(in, rows, inF);
        Gemm.matmul(dOutT, 0, inT, 0, dWeight, 0, outF, inF, rows, false, true, true);
        if (dBias != null) {
            for (int j = 0; j < outF; j++) {
                float s = 0f;
                int o = j * rows;
                for (int r = 0; r < rows; r++) {
                    s += dOutT[o + r];
                }
                dBias[j] += s;
            }
        }
    }

    /** A new [cols, rows] array holding the transpose of a[rows, cols]. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[rows * cols];
        Parallel.parallelFor(0, cols, c -> {
            int o = c * rows;
            for (int r = 0; r < rows; r++) {
                t[o + r] = a[r * cols + c];
            }
        });
        return t;
    }
}
