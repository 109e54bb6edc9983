package io.ditcache.nn;

import static io.ditcache.nn.GradCheck.all;
import static io.ditcache.nn.GradCheck.check;
import static io.ditcache.nn.GradCheck.dot;
import static io.ditcache.nn.GradCheck.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of every layer's backward against its own float forward (L = sum(G * out)). */
class LayerBackwardTest {
    private static final float EPS = 1e-2f;
    private static final double RTOL = 1e-2;
    private final SplittableRandom rng = new SplittableRandom(42);

    @Test
    void linearGivesInputWeightAndBiasGradients() {
        int rows = 5;
        int in = 7;
        int out = 4;
        float[] x = randn(rng, rows * in, 1);
        float[] w = randn(rng, out * in, 0.5);
        float[] b = randn(rng, out, 0.5);
        float[] g = randn(rng, rows * out, 1);
        GradCheck.Loss loss = () -> {
            float[] y = new float[rows * out];
            Linear.forward(x, rows, in, w, b, out, y);
            return dot(g, y);
        };
        float[] dX = new float[rows * in];
        float[] dW = new float[out * in];
        float[] db = new float[out];
        Linear.backward(g, x, w, rows, in, out, dX, false, dW, db);
        check("linear dX", x, dX, loss, all(x.length), EPS, RTOL);
        check("linear dW", w, dW, loss, all(w.length), EPS, RTOL);
        check("linear db", b, db, loss, all(b.length), EPS, RTOL);
        float[] acc = dX.clone();
        Linear.backward(g, x, w, rows, in, out, acc, true, dW, null);
        for (int i = 0; i < acc.length; i++) {
            assertEquals(2 * dX[i], acc[i], 1e-5f, "accumulated dX");
        }
    }

    @Test
    void layerNormBackwardMatchesFiniteDifferencesAndAccumulates() {
        int rows = 3;
        int d = 8;
        float[] x = randn(rng, rows * d, 2);
        float[] g = randn(rng, rows * d, 1);
        GradCheck.Loss loss = () -> {
            float[] y = new float[rows * d];
            LayerNorm.forward(x, y, rows, d);
            return dot(g, y);
        };
        float[] dX = new float[rows * d];
        LayerNorm.backward(g, x, dX, rows, d, false);
        check("layernorm dX", x, dX, loss, all(x.length), EPS, RTOL);
        float[] acc = new float[rows * d];
        java.util.Arrays.fill(acc, 1f);
        LayerNorm.backward(g, x, acc, rows, d, true);
        for (int i = 0; i < acc.length; i++) {
            assertEquals(1f + dX[i], acc[i], 1e-6f);
        }
    }

    @Test
    void geluAndSiluBackward() {
        int n = 40;
        float[] x = randn(rng, n, 2);
        float[] g = randn(rng, n, 1);
        float[] dGelu = new float[n];
        GeluTanh.backward(g, x, dGelu, n);
        check("gelu dX", x, dGelu, () -> {
            float[] y = new float[n];
            GeluTanh.forward(x, y, n);
            return dot(g, y);
        }, all(n), 1e-3f, RTOL);
        float[] dSilu = g.clone();
        Silu.backward(dSilu, x, dSilu, n);
        check("silu dX", x, dSilu, () -> {
            float[] y = new float[n];
            Silu.forward(x, y, n);
            return dot(g, y);
        }, all(n), 1e-3f, RTOL);
    }

    @Test
    void modulateGradientsReachInputShiftAndScale() {
        int batch = 2;
        int tokens = 3;
        int d = 4;
        int stride = 3 * d;
        float[] x = randn(rng, batch * tokens * d, 1);
        float[] mod = randn(rng, batch * stride, 0.5);
        float[] g = randn(rng, x.length, 1);
        GradCheck.Loss loss = () -> {
            float[] y = new float[x.length];
            Modulate.forward(x, y, batch, tokens, d, mod, stride, d, 2 * d);
            return dot(g, y);
        };
        float[] dX = g.clone();
        float[] dMod = new float[mod.length];
        Modulate.backward(dX, x, batch, tokens, d, mod, stride, d, 2 * d, dX, dMod);
        check("modulate dX", x, dX, loss, all(x.length), EPS, RTOL);
        check("modulate dShift/dScale", mod, dMod, loss, all(mod.length), EPS, RTOL);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < d; j++) {
                assertEquals(0f, dMod[b * stride + j], "untouched columns stay zero");
            }
        }
    }

    @Test
    void gatedResidualGradientsReachUnitAndGate() {
        int batch = 2;
        int tokens = 3;
        int d = 4;
        int stride = 2 * d;
        float[] x = randn(rng, batch * tokens * d, 1);
        float[] u = randn(rng, x.length, 1);
        float[] mod = randn(rng, batch * stride, 0.5);
        float[] g = randn(rng, x.length, 1);
        GradCheck.Loss loss = () -> {
            float[] y = x.clone();
            GatedResidual.forward(y, u, batch, tokens, d, mod, stride, d);
            return dot(g, y);
        };
        float[] dU = new float[x.length];
        float[] dMod = new float[mod.length];
        GatedResidual.backward(g, u, batch, tokens, d, mod, stride, d, dU, dMod);
        check("gated dU", u, dU, loss, all(u.length), EPS, RTOL);
        check("gated dGate", mod, dMod, loss, all(mod.length), EPS, RTOL);
        check("gated dX (identity)", x, g, loss, all(x.length), EPS, RTOL);
    }

    @Test
    void attentionBackwardThroughSoftmax() {
        int batch = 2;
        int tokens = 5;
        int d = 8;
        int heads = 2;
        float[] qkv = randn(rng, batch * tokens * 3 * d, 1);
        float[] g = randn(rng, batch * tokens * d, 1);
        GradCheck.Loss loss = () -> {
            float[] y = new float[batch * tokens * d];
            SelfAttention.forward(qkv, y, batch, tokens, d, heads);
            return dot(g, y);
        };
        float[] dQkv = new float[qkv.length];
        SelfAttention.backward(qkv, g, dQkv, batch, tokens, d, heads);
        check("attention dQkv", qkv, dQkv, loss, all(qkv.length), EPS, RTOL);
    }

    @Test
    void patchEmbedGradientsReachImageWeightAndBias() {
        int batch = 2;
        int c = 3;
        int size = 4;
        int p = 2;
        int d = 5;
        int tokens = 4;
        float[] x = randn(rng, batch * c * size * size, 1);
        float[] w = randn(rng, d * c * p * p, 0.5);
        float[] b = randn(rng, d, 0.5);
        float[] pos = randn(rng, tokens * d, 1);
        float[] g = randn(rng, batch * tokens * d, 1);
        GradCheck.Loss loss = () -> {
            float[] h = new float[batch * tokens * d];
            PatchEmbed.forward(x, batch, c, size, p, w, b, d, pos, h);
            return dot(g, h);
        };
        float[] dX = new float[x.length];
        float[] dW = new float[w.length];
        float[] db = new float[d];
        PatchEmbed.backward(g, x, batch, c, size, p, w, d, dX, dW, db);
        check("patch dX", x, dX, loss, all(x.length), EPS, RTOL);
        check("patch dW", w, dW, loss, all(w.length), EPS, RTOL);
        check("patch db", b, db, loss, all(d), EPS, RTOL);
    }

    @Test
    void unpatchifyBackwardIsTheAdjointPermutation() {
        int batch = 2;
        int c = 3;
        int size = 4;
        int p = 2;
        float[] tokens = randn(rng, batch * size * size * c, 1);
        float[] g = randn(rng, tokens.length, 1);
        float[] img = new float[tokens.length];
        Unpatchify.forward(tokens, batch, c, size, p, img);
        float[] dTokens = new float[tokens.length];
        Unpatchify.backward(g, batch, c, size, p, dTokens);
        assertEquals(dot(g, img), dot(dTokens, tokens), 1e-9);
        float[] back = new float[tokens.length];
        Unpatchify.backward(img, batch, c, size, p, back);
        assertArrayEquals(tokens, back);
    }

    @Test
    void cfgCombineBackwardSplitsTheGuidedGradient() {
        int batch = 2;
        int outC = 4;
        int hw = 3;
        int guided = 3;
        float scale = 1.5f;
        float[] raw = randn(rng, 2 * batch * outC * hw, 1);
        float[] g = randn(rng, raw.length, 1);
        GradCheck.Loss loss = () -> {
            float[] o = raw.clone();
            CfgCombine.forward(o, batch, outC, hw, guided, scale);
            return dot(g, o);
        };
        float[] d = g.clone();
        CfgCombine.backward(d, batch, outC, hw, guided, scale);
        check("cfg dRaw", raw, d, loss, all(raw.length), EPS, RTOL);
    }

    @Test
    void embeddingBackwardAccumulatesRepeatedRows() {
        int d = 3;
        float[] table = randn(rng, 4 * d, 1);
        int[] ids = {1, 3, 1};
        float[] g = randn(rng, ids.length * d, 1);
        float[] dTable = new float[table.length];
        Embedding.backward(g, ids, d, dTable);
        check("embedding dTable", table, dTable, () -> {
            float[] out = new float[ids.length * d];
            Embedding.addInto(table, ids, d, out);
            return dot(g, out);
        }, all(table.length), EPS, RTOL);
    }
}
