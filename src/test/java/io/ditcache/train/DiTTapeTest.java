package io.ditcache.train;

import static io.ditcache.nn.GradCheck.check;
import static io.ditcache.nn.GradCheck.dot;
import static io.ditcache.nn.GradCheck.pick;
import static io.ditcache.nn.GradCheck.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.Embeddings;
import io.ditcache.model.ParameterLayout;
import io.ditcache.model.UnitRunner;
import io.ditcache.nn.GradCheck;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The training tape: bit-exact forward, and finite-difference checks of weight, input and router gradients. */
class DiTTapeTest {
    static final DiTConfig TINY = new DiTConfig("tiny", 2, 16, 2, 2, 4, 8, 10, true, 4);
    private static final float EPS = 1e-2f;
    private static final double RTOL = 1e-2;

    private final SplittableRandom rng = new SplittableRandom(7);

    /** Random weights at a scale where every path (gates, adaLN, biases) carries signal. */
    static DiT tinyModel(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StateDict sd = new StateDict();
        for (Map.Entry<String, int[]> e : ParameterLayout.of(TINY).entrySet()) {
            Tensor t = Tensor.zeros(e.getValue());
            if (e.getKey().equals("pos_embed")) {
                System.arraycopy(Embeddings.posEmbed2d(TINY.hidden(), TINY.gridSize()), 0, t.data(), 0, t.numel());
            } else {
                float[] v = randn(r, t.numel(), e.getKey().endsWith(".bias") ? 0.1 : 0.3);
                System.arraycopy(v, 0, t.data(), 0, v.length);
            }
            sd.put(e.getKey(), t);
        }
        return new DiT(TINY, sd);
    }

    private Tensor input(int batch) {
        return Tensor.of(randn(rng, batch * 4 * 8 * 8, 1), batch, 4, 8, 8);
    }

    /** Every unit's output of a plain forward at another timestep: a realistic stale cache. */
    private static Tensor[] recordUnits(DiT m, Tensor x, float[] t, int[] y, boolean cfg) {
        Tensor[] units = new Tensor[m.config().units()];
        UnitRunner rec = (k, fresh) -> {
            Tensor u = fresh.get();
            units[k] = u.copy();
            return u;
        };
        if (cfg) {
            m.forwardWithCfg(x, t, y, 1.5f, rec);
        } else {
            m.forward(x, t, y, rec);
        }
        return units;
    }

    @Test
    void forwardIsBitForBitTheInferenceForward() {
        DiT m = DiT.random(TINY, 3);
        Tensor x = input(2);
        float[] t = {999, 37};
        int[] y = {3, 10};
        Tensor ref = m.forward(x, t, y);
        for (GradientRequest req : new GradientRequest[]{GradientRequest.ROUTER, GradientRequest.ALL}) {
            assertArrayEquals(ref.data(), new DiTTape(m).forward(x, t, y, UnitMix.NONE, req).data());
        }
        Tensor refCfg = m.forwardWithCfg(x, t, y, 4f, UnitRunner.COMPUTE_ALL);
        assertArrayEquals(refCfg.data(), new DiTTape(m).forwardWithCfg(x, t, y, 4f, UnitMix.NONE, GradientRequest.ALL).data());
        float[] ones = new float[TINY.units()];
        Arrays.fill(ones, 1f);
        Tensor[] stale = recordUnits(m, x, new float[]{500, 500}, y, false);
        Tensor mixedAtOne = new DiTTape(m).forward(x, t, y, UnitMix.of(ones, stale), GradientRequest.ROUTER);
        assertArrayEquals(ref.data(), mixedAtOne.data(), "w = 1 reproduces the uncached forward exactly");
    }

    @Test
    void aPackedModelTapesAndBackpropagatesTheSameBits() {
        DiT plain = tinyModel(12);
        DiT packed = new DiT(TINY, plain.stateDict()).packWeights();
        Tensor x = input(2);
        float[] t = {640, 3};
        int[] y = {4, 10};
        Tensor[] stale = recordUnits(plain, x, new float[]{700, 700}, y, false);
        float[] w = new float[TINY.units()];
        Arrays.fill(w, Float.NaN);
        w[1] = 0.3f;
        Tensor dOut = Tensor.of(randn(rng, 2 * 8 * 8 * 8, 1), 2, 8, 8, 8);
        for (GradientRequest req : new GradientRequest[]{GradientRequest.ROUTER, GradientRequest.ALL}) {
            DiTTape a = new DiTTape(plain);
            DiTTape b = new DiTTape(packed);
            assertArrayEquals(a.forward(x, t, y, UnitMix.of(w, stale), req).data(),
                    b.forward(x, t, y, UnitMix.of(w, stale), req).data());
            Gradients ga = a.backward(dOut);
            Gradients gb = b.backward(dOut);
            assertArrayEquals(ga.unitWeights(), gb.unitWeights(), 0f);
            if (req.weights()) {
                assertArrayEquals(ga.input().data(), gb.input().data(), 0f);
                for (String k : ga.weights().keys()) {
                    assertArrayEquals(ga.weights().get(k).data(), gb.weights().get(k).data(), 0f, k);
                }
            }
        }
        assertTrue(packed.isPacked(), "backward reads the packed weights without unpacking the model");
    }

    @Test
    void weightGradientsMatchFiniteDifferences() {
        DiT m = tinyModel(11);
        Tensor x = input(2);
        float[] t = {812, 40};
        int[] y = {3, 10};
        Tensor out0 = m.forward(x, t, y);
        float[] g = randn(rng, out0.numel(), 1);
        DiTTape tape = new DiTTape(m);
        tape.forward(x, t, y, UnitMix.NONE, GradientRequest.WEIGHTS);
        Gradients grads = tape.backward(Tensor.of(g, out0.shape()));
        assertNull(grads.input());
        StateDict gw = grads.weights();
        assertFalse(gw.contains("pos_embed"));
        assertEquals(ParameterLayout.of(TINY).size() - 1, gw.size());
        GradCheck.Loss loss = () -> dot(g, m.forward(x, t, y).data());
        String[] keys = {"x_embedder.proj.weight", "x_embedder.proj.bias", "t_embedder.mlp.0.weight",
            "t_embedder.mlp.2.bias", "y_embedder.embedding_table.weight", "blocks.0.attn.qkv.weight",
            "blocks.0.attn.proj.weight", "blocks.1.mlp.fc1.weight", "blocks.1.mlp.fc2.bias",
            "blocks.0.adaLN_modulation.1.weight", "blocks.1.adaLN_modulation.1.bias", "final_layer.linear.weight",
            "final_layer.adaLN_modulation.1.weight"};
        for (String k : keys) {
            float[] analytic = gw.get(k).data();
            check(k, m.stateDict().get(k).data(), analytic, loss, pick(analytic, 3, 3, rng), EPS, RTOL);
        }
        float[] table = gw.get("y_embedder.embedding_table.weight").data();
        int d = TINY.hidden();
        for (int row = 0; row <= TINY.numClasses(); row++) {
            boolean used = row == 3 || row == 10;
            for (int j = 0; j < d; j++) {
                assertEquals(used, table[row * d + j] != 0f, "label row " + row + " gets a gradient iff it is used");
            }
        }
    }

    @Test
    void inputGradientMatchesFiniteDifferencesWithCfg() {
        DiT m = tinyModel(12);
        Tensor x = input(1);
        float[] t = {500};
        int[] y = {4};
        float scale = 1.5f;
        Tensor out0 = m.forwardWithCfg(x, t, y, scale, UnitRunner.COMPUTE_ALL);
        float[] g = randn(rng, out0.numel(), 1);
        DiTTape tape = new DiTTape(m);
        tape.forwardWithCfg(x, t, y, scale, UnitMix.NONE, GradientRequest.ALL);
        Gradients grads = tape.backward(Tensor.of(g, out0.shape()));
        assertArrayEquals(x.shape(), grads.input().shape());
        GradCheck.Loss loss = () -> dot(g, m.forwardWithCfg(x, t, y, scale, UnitRunner.COMPUTE_ALL).data());
        check("dL/dx", x.data(), grads.input().data(), loss, pick(grads.input().data(), 4, 6, rng), EPS, RTOL);
        check("blocks.1.attn.qkv.weight (cfg)", m.stateDict().get("blocks.1.attn.qkv.weight").data(),
                grads.weights().get("blocks.1.attn.qkv.weight").data(), loss,
                pick(grads.weights().get("blocks.1.attn.qkv.weight").data(), 2, 2, rng), EPS, RTOL);
    }

    @Test
    void routerWeightGradientMatchesFiniteDifferencesThroughMixedForward() {
        for (boolean cfg : new boolean[]{false, true}) {
            DiT m = tinyModel(13);
            Tensor x = input(2);
            float[] t = {300, 300};
            int[] y = {1, 7};
            Tensor[] stale = recordUnits(m, input(2), new float[]{420, 420}, y, cfg);
            float[] w = new float[TINY.units()];
            Arrays.fill(w, Float.NaN);
            w[1] = 0.3f;
            w[2] = 0.8f;
            w[3] = 0f;
            Tensor teacher = cfg ? m.forwardWithCfg(x, t, y, 1.5f, UnitRunner.COMPUTE_ALL) : m.forward(x, t, y);
            // L = sum((student - teacher)^2): dL/dout = 2 (student - teacher).
            DiTTape tape = new DiTTape(m);
            Tensor student = run(tape, cfg, x, t, y, UnitMix.of(w, stale), GradientRequest.ROUTER);
            float[] dOut = new float[student.numel()];
            for (int i = 0; i < dOut.length; i++) {
                dOut[i] = 2f * (student.data()[i] - teacher.data()[i]);
            }
            Gradients grads = tape.backward(Tensor.of(dOut, student.shape()));
            assertNull(grads.weights());
            assertEquals(0f, grads.unitWeights()[0], "unmixed unit");
            GradCheck.Loss loss = () -> {
                float[] s = run(new DiTTape(m), cfg, x, t, y, UnitMix.of(w, stale), GradientRequest.ROUTER).data();
                double l = 0;
                for (int i = 0; i < s.length; i++) {
                    double e = s[i] - teacher.data()[i];
                    l += e * e;
                }
                return l;
            };
            check("dL/dw cfg=" + cfg, w, grads.unitWeights(), loss, new int[]{1, 2, 3}, EPS, 1e-3);
            // The frozen-mode gradient equals the one computed with the full tape.
            DiTTape full = new DiTTape(m);
            run(full, cfg, x, t, y, UnitMix.of(w, stale), GradientRequest.ALL);
            float[] dwFull = full.backward(Tensor.of(dOut, student.shape())).unitWeights();
            for (int k = 0; k < w.length; k++) {
                assertEquals(dwFull[k], grads.unitWeights()[k], 1e-6f * Math.max(1f, Math.abs(dwFull[k])));
            }
        }
    }

    private static Tensor run(DiTTape tape, boolean cfg, Tensor x, float[] t, int[] y, UnitMix mix, GradientRequest r) {
        return cfg ? tape.forwardWithCfg(x, t, y, 1.5f, mix, r) : tape.forward(x, t, y, mix, r);
    }

    @Test
    void frozenTapeKeepsOnlyWhatLiesDownstreamOfTheFirstMixedUnit() {
        DiT m = tinyModel(14);
        int batch = 3;
        Tensor x = input(batch);
        float[] t = {10, 20, 30};
        int[] y = {0, 1, 2};
        Tensor[] stale = recordUnits(m, x, new float[]{40, 40, 40}, y, false);
        float[] w = new float[TINY.units()];
        Arrays.fill(w, Float.NaN);
        w[2] = 0.5f;
        DiTTape tape = new DiTTape(m);
        tape.forward(x, t, y, UnitMix.of(w, stale), GradientRequest.ROUTER);
        long btd = (long) batch * TINY.tokens() * TINY.hidden();
        long small = (long) batch * TINY.hidden() * (6 * TINY.depth() + 2 + 1);
        // Unit 2 (mixed): its diff; unit 3 (MLP, taped): x + fc1 pre-activation; final layer input.
        long expected = 4 * (small + btd + (1 + TINY.mlpRatio()) * btd + btd);
        assertEquals(expected, tape.keptBytes());
        DiTTape none = new DiTTape(m);
        none.forward(x, t, y, UnitMix.NONE, GradientRequest.ROUTER);
        Gradients g = none.backward(Tensor.zeros(batch, 8, 8, 8));
        assertEquals(0f, g.unitWeights()[2]);
        DiTTape all = new DiTTape(m);
        all.forward(x, t, y, UnitMix.of(w, stale), GradientRequest.ALL);
        assertTrue(all.keptBytes() > 2 * expected);
    }

    @Test
    void observerSeesMixedOutputsAndMisuseFailsClearly() {
        DiT m = tinyModel(15);
        Tensor x = input(1);
        float[] t = {100};
        int[] y = {2};
        Tensor[] stale = recordUnits(m, x, new float[]{900}, y, false);
        Tensor[] fresh = recordUnits(m, x, t, y, false);
        float[] w = new float[TINY.units()];
        Arrays.fill(w, Float.NaN);
        w[0] = 0.25f;
        Tensor[] seen = new Tensor[TINY.units()];
        DiTTape tape = new DiTTape(m);
        tape.forward(x, t, y, UnitMix.of(w, stale).observing((k, u) -> seen[k] = u), GradientRequest.ROUTER);
        for (int i = 0; i < seen[0].numel(); i++) {
            assertEquals(0.25f * fresh[0].data()[i] + 0.75f * stale[0].data()[i], seen[0].data()[i], 1e-6f);
        }
        for (Tensor u : seen) {
            assertNotNull(u, "every unit is observed");
        }
        assertNotNull(tape.backward(Tensor.zeros(1, 8, 8, 8)));
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> tape.backward(Tensor.zeros(1, 8, 8, 8)));
        assertTrue(twice.getMessage().contains("one backward per forward"));
        Tensor[] missing = new Tensor[TINY.units()];
        IllegalArgumentException noCache = assertThrows(IllegalArgumentException.class,
                () -> tape.forward(x, t, y, UnitMix.of(w, missing), GradientRequest.ROUTER));
        assertTrue(noCache.getMessage().contains("unit 0"));
    }
}
