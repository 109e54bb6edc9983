package io.ditcache.nn;

import io.ditcache.tensor.Reference;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SelfAttentionTest {
    /** Naive double-precision attention; fills probs [batch, heads, T, T] and returns out [batch, T, d]. */
    static double[] naive(float[] qkv, int batch, int t, int d, int heads, double[] probs) {
        int hd = d / heads;
        double[] out = new double[batch * t * d];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    double[] s = new double[t];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < t; j++) {
                        double dot = 0;
                        for (int e = 0; e < hd; e++) {
                            dot += (double) qkv[(b * t + i) * 3 * d + h * hd + e] * qkv[(b * t + j) * 3 * d + d + h * hd + e];
                        }
                        s[j] = dot / Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < t; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j < t; j++) {
                        s[j] /= sum;
                        probs[((b * heads + h) * t + i) * t + j] = s[j];
                        for (int e = 0; e < hd; e++) {
                            out[(b * t + i) * d + h * hd + e] += s[j] * qkv[(b * t + j) * 3 * d + 2 * d + h * hd + e];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static void check(int batch, int t, int d, int heads, long seed) {
        Random rng = new Random(seed);
        float[] qkv = Reference.random(rng, batch * t * 3 * d);
        double[] wantP = new double[batch * heads * t * t];
        double[] want = naive(qkv, batch, t, d, heads, wantP);
        float[] out = Reference.random(rng, batch * t * d); // garbage must be overwritten
        float[] probs = new float[wantP.length];
        SelfAttention.forward(qkv, out, probs, batch, t, d, heads);
        String what = "attention b=" + batch + " t=" + t + " d=" + d + " heads=" + heads;
        Reference.assertClose(what + " out", want, out, 0, 1e-5);
        Reference.assertClose(what + " probs", wantP, probs, 0, 1e-5);
        float[] out2 = new float[out.length];
        SelfAttention.forward(qkv, out2, batch, t, d, heads);
        Reference.assertClose(what + " without probs", want, out2, 0, 1e-5);
    }

    @Test
    void matchesNaiveAtOddAndDitLikeSizes() {
        check(1, 1, 4, 1, 1);
        check(2, 5, 12, 3, 2);
        check(2, 37, 72, 2, 3);
        check(1, 64, 144, 2, 4);
        check(2, 40, 128, 2, 5);
    }
}
