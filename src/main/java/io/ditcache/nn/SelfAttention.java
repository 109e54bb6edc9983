package io.ditcache.nn;

import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.Ops;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Scratch;

/**
 * Multi-head self-attention core, from the packed qkv rows (timm layout: q [0,D), k [D,2D), v [2D,3D), head h
 * owning [h*hd, (h+1)*hd) inside each) to the concatenated heads, before the output projection.
 * <p>The forward runs each (sample, head) as one task: {@code S = Q K^T} and {@code O = P V} are strided
 * {@link Gemm} calls straight on the qkv rows, with the softmax in between.
 * <p>The backward recomputes each head's probabilities from q and k instead of saving them: that keeps the tape at
 * O(tokens * D) per block instead of O(heads * tokens^2), for one extra Q K^T per head.
 */
public final class SelfAttention {
    private SelfAttention() {
    }

    /** qkv [batch, tokens, 3d]  ->  out [batch, tokens, d] = softmax(q k^T / sqrt(hd)) v per head. */
    public static void forward(float[] qkv, float[] out, int batch, int tokens, int d, int heads) {
        forward(qkv, out, null, batch, tokens, d, heads);
    }

    /** As the public forward, also writing the probabilities probs [batch, heads, tokens, tokens] when non-null. */
    static void forward(float[] qkv, float[] out, float[] probs, int batch, int tokens, int d, int heads) {
        if (d % heads != 0) {
            throw new IllegalArgumentException("attention: width " + d + " is not divisible by heads " + heads);
        }
        int hd = d / heads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        int row = 3 * d;
        int tt = tokens * tokens;
        Parallel.parallelFor(0, batch * heads, bh -> {
            int b = bh / heads;
            int h = bh % heads;
            float[] p = probs != null ? probs : Scratch.get(Scratch.SCORES, tt);
            int pOff = probs != null ? bh * tt : 0;
            int q = b * tokens * row + h * hd;
            // S = Q K^T: Q rows and K rows are head slices of the qkv rows (stride 3d).
            Gemm.matmul(qkv, q, row, qkv, q + d, row, p, pOff, tokens, tokens, tokens, hd, false, true, false);
            Ops.softmaxRows(p, pOff, tokens, tokens, scale);
            // O = P V, written into this head's columns of out.
            Gemm.matmul(p, pOff, tokens, qkv, q + 2 * d, row, out, b * tokens * d + h * hd, d,
                    tokens, hd, tokens, false, false, false);
        });
    }

    /**
     * qkv [batch, tokens, 3d] (the forward input), dOut [batch, tokens, d]  ->  dQkv [batch, tokens, 3d] (written).
     * Per head, with P = softmax(S), S = scale Q K^T:
     * dV = P^T dO, dP = dO V^T, dS = P (dP - rowsum(P dP)), dQ = scale dS K, dK = scale dS^T Q.
     */
    public static void backward(float[] qkv, float[] dOut, float[] dQkv, int batch, int tokens, int d, int heads) {
        int hd = d / heads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        int row = 3 * d;
        Parallel.parallelFor(0, batch * heads, bh -> {
            int b = bh / heads;
            int qOff = (bh % heads) * hd;
            int base = b * tokens;
            int n = tokens * hd;
            float[] q = new float[n];
            float[] k = new float[n];
            float[] v = new float[n];
            float[] dO = new float[n];
            gatherHead(qkv, base, tokens, row, qOff, hd, q);
            gatherHead(qkv, base, tokens, row, d + qOff, hd, k);
            gatherHead(qkv, base, tokens, row, 2 * d + qOff, hd, v);
            gatherHead(dOut, base, tokens, d, qOff, hd, dO);
            float[] p = new float[tokens * tokens];
            Gemm.matmul(q, 0, k, 0, p, 0, tokens, tokens, hd, false, true, false);
            for (int i = 0; i < p.length; i++) {
                p[i] *= scale;
            }
            Ops.softmaxRows(p, 0, tokens, tokens);
            float[] dP = new float[tokens * tokens];
            Gemm.matmul(dO, 0, v, 0, dP, 0, tokens, tokens, hd, false, true, false);
            float[] dV = new float[n];
            Gemm.matmul(p, 0, dO, 0, dV, 0, tokens, hd, tokens, true, false, false);
            for (int i = 0; i < tokens; i++) {
                int o = i * tokens;
                double dot = 0;
                for (int j = 0; j < tokens; j++) {
                    dot += p[o + j] * dP[o + j];
                }
                float rowDot = (float) dot;
                for (int j = 0; j < tokens; j++) {
                    dP[o + j] = scale * p[o + j] * (dP[o + j] - rowDot);
                }
            }
            float[] dQ = new float[n];
            Gemm.matmul(dP, 0, k, 0, dQ, 0, tokens, hd, tokens, false, false, false);
            float[] dK = new float[n];
            Gemm.matmul(dP, 0, q, 0, dK, 0, tokens, hd, tokens, true, false, false);
            scatterHead(dQ, base, tokens, row, qOff, hd, dQkv);
            scatterHead(dK, base, tokens, row, d + qOff, hd, dQkv);
            scatterHead(dV, base, tokens, row, 2 * d + qOff, hd, dQkv);
        });
    }

    /** dst [tokens, hd] = src[(base + i) * width + off + e]. */
    private static void gatherHead(float[] src, int base, int tokens, int width, int off, int hd, float[] dst) {
        for (int i = 0; i < tokens; i++) {
            System.arraycopy(src, (base + i) * width + off, dst, i * hd, hd);
        }
    }

    private static void scatterHead(float[] src, int base, int tokens, int width, int off, int hd, float[] dst) {
        for (int i = 0; i < tokens; i++) {
            System.arraycopy(src, i * hd, dst, (base + i) * width + off, hd);
        }
    }
}
