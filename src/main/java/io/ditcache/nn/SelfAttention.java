package io.ditcache.nn;

import io.ditcache.tensor.Attention;
import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.Ops;
import io.ditcache.tensor.Parallel;

/**
 * Multi-head self-attention core, from the packed qkv rows (timm layout: q [0,D), k [D,2D), v [2D,3D), head h
 * owning [h*hd, (h+1)*hd) inside each) to the concatenated heads, before the output projection.
 * <p>The backward recomputes each head's probabilities from q and k instead of saving them: that keeps the tape at
 * O(tokens * D) per block instead of O(heads * tokens^2), for one extra Q K^T per head.
 */
public final class SelfAttention {
    private SelfAttention() {
    }

    /** qkv [batch, tokens, 3d]  ->  out [batch, tokens, d] = softmax(q k^T / sqrt(hd)) v per head. */
    public static void forward(float[] qkv, float[] out, int batch, int tokens, int d, int heads) {
        Attention.forward(qkv, out, batch, tokens, d, heads);
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
