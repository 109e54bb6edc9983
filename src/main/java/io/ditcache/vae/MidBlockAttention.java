package io.ditcache.vae;

import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.Ops;
import io.ditcache.tensor.PackedWeight;
import io.ditcache.tensor.Parallel;

/**
 * The attention of the VAE decoder's mid block (diffusers {@code Attention} with one head of all C channels, a
 * GroupNorm and a residual), over the T = h * w pixels of each image as tokens:
 * <pre>
 * t = group_norm(x)                               x [batch, T, C], channels-last
 * q, k, v = t to_q^T + b, t to_k^T + b, t to_v^T + b    (one GEMM with the three weights stacked)
 * x += softmax(q k^T / sqrt(C)) v to_out.0^T + b
 * </pre>
 * Both attention GEMMs of an image run on all threads (one head gives no other parallelism).
 */
final class MidBlockAttention {
    private final int channels;
    private final Norm norm;
    private final PackedWeight qkv;
    private final float[] qkvBias;
    private final PackedWeight out;
    private final float[] outBias;

    MidBlockAttention(VaeWeights w, String name, int channels, int groups, float eps) {
        this.channels = channels;
        norm = w.norm(name + ".group_norm", channels, groups, eps);
        int cc = channels * channels;
        float[] stacked = new float[3 * cc];
        qkvBias = new float[3 * channels];
        String[] parts = {"to_q", "to_k", "to_v"};
        for (int i = 0; i < 3; i++) {
            System.arraycopy(w.get(name + "." + parts[i] + ".weight", channels, channels), 0, stacked, i * cc, cc);
            System.arraycopy(w.get(name + "." + parts[i] + ".bias", channels), 0, qkvBias, i * channels, channels);
        }
        qkv = PackedWeight.of(stacked, 3 * channels, channels);
        out = PackedWeight.of(w.get(name + ".to_out.0.weight", channels, channels), channels, channels);
        outBias = w.get(name + ".to_out.0.bias", channels);
    }

    /** x [batch, tokens, C] += attention(x), in place; {@code t} holds batch * tokens * C floats, {@code q} three times that. */
    void forward(float[] x, float[] t, float[] q, int batch, int tokens) {
        int c = channels;
        int rows = batch * tokens;
        norm.apply(x, t, batch, tokens, false);
        Gemm.linearInto(t, rows, qkv, qkvBias, q);
        float[] scores = new float[tokens * tokens];
        float scale = (float) (1.0 / Math.sqrt(c));
        for (int b = 0; b < batch; b++) {
            int base = b * tokens * 3 * c;
            Gemm.matmul(q, base, 3 * c, q, base + c, 3 * c, scores, 0, tokens, tokens, tokens, c, false, true, false);
            Parallel.parallelFor(0, tokens, r -> Ops.softmaxRows(scores, r * tokens, 1, tokens, scale));
            Gemm.matmul(scores, 0, tokens, q, base + 2 * c, 3 * c, t, b * tokens * c, c, tokens, c, tokens, false, false, false);
        }
        Gemm.matmul(t, 0, out, x, 0, rows, true);
        Ops.addRowBias(x, rows, c, outBias);
    }

    /** Multiply-accumulates for one image of {@code tokens} pixels. */
    long macs(int tokens) {
        long c = channels;
        return 4L * tokens * c * c + 2L * tokens * tokens * c;
    }
}
