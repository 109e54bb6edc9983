package io.ditcache.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.Bf16;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.WeightPrecision;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DiTModelTest {
    static final DiTConfig TINY = new DiTConfig("tiny", 2, 32, 4, 2, 4, 8, 10, true, 4);

    @Test
    void xl2ParameterCountAndMacsMatchThePaper() {
        DiTConfig xl = DiTConfig.preset("DiT-XL/2");
        assertEquals(675_129_632L, ParameterLayout.count(xl));
        double gmacs = Macs.forward(xl) / 1e9;
        assertEquals(118.6, gmacs, 0.2, "DiT paper reports 118.6 Gflops (MACs) for XL/2 at 256");
        assertEquals(256, xl.tokens());
        assertEquals(292, ParameterLayout.of(xl).size());
    }

    @Test
    void presetsCoverAllTwelveAndParseAliases() {
        assertEquals(12, DiTConfig.PRESETS.size());
        assertEquals(DiTConfig.preset("DiT-B/4"), DiTConfig.preset("dit-b-4"));
        assertThrows(IllegalArgumentException.class, () -> DiTConfig.preset("DiT-Q/2"));
    }

    @Test
    void forwardShapesAndCfgGuidesOnlyChannelsZeroToTwo() {
        DiT m = DiT.random(TINY, 1);
        Tensor x = Tensor.zeros(1, 4, 8, 8);
        for (int i = 0; i < x.numel(); i++) {
            x.data()[i] = (float) Math.sin(i);
        }
        Tensor cond = m.forward(x, new float[]{500}, new int[]{3});
        Tensor uncond = m.forward(x, new float[]{500}, new int[]{10});
        assertArrayEquals(new int[]{1, 8, 8, 8}, cond.shape());
        Tensor cfg = m.forwardWithCfg(x, new float[]{500}, new int[]{3}, 4f, UnitRunner.COMPUTE_ALL);
        assertArrayEquals(new int[]{2, 8, 8, 8}, cfg.shape());
        int hw = 64;
        for (int ch = 0; ch < 8; ch++) {
            for (int i = 0; i < hw; i++) {
                float c = cond.data()[ch * hw + i];
                float u = uncond.data()[ch * hw + i];
                float first = cfg.data()[ch * hw + i];
                float second = cfg.data()[(8 + ch) * hw + i];
                if (ch < 3) {
                    assertEquals(u + 4f * (c - u), first, 1e-5f);
                    assertEquals(first, second);
                } else {
                    assertEquals(c, first, 1e-6f);
                    assertEquals(u, second, 1e-6f);
                }
            }
        }
        assertNotEquals(cond.data()[0], uncond.data()[0]);
    }

    @Test
    void configIsRecoveredFromWeights() {
        DiT m = DiT.random(TINY, 2);
        DiTConfig c = ConfigInference.infer(m.stateDict(), "test", 4);
        assertEquals(TINY.depth(), c.depth());
        assertEquals(TINY.hidden(), c.hidden());
        assertEquals(TINY.inputSize(), c.inputSize());
        assertEquals(TINY.numClasses(), c.numClasses());
        assertTrue(c.learnSigma());
    }

    @Test
    void missingUnexpectedAndMisshapenKeysAreNamed() {
        StateDict sd = DiT.random(TINY, 3).stateDict();
        StateDict broken = new StateDict();
        sd.tensors().forEach((k, v) -> {
            if (!k.equals("blocks.1.mlp.fc2.bias")) {
                broken.put(k, v);
            }
        });
        broken.put("extra.weight", Tensor.zeros(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DiT(TINY, broken));
        assertTrue(e.getMessage().contains("blocks.1.mlp.fc2.bias"), e.getMessage());
        assertTrue(e.getMessage().contains("extra.weight"), e.getMessage());
        StateDict wrong = new StateDict();
        sd.tensors().forEach((k, v) -> wrong.put(k, k.equals("blocks.0.attn.qkv.weight") ? Tensor.zeros(96, 31) : v));
        e = assertThrows(IllegalArgumentException.class, () -> new DiT(TINY, wrong));
        assertTrue(e.getMessage().contains("blocks.0.attn.qkv.weight") && e.getMessage().contains("[96, 31]"), e.getMessage());
    }

    @Test
    void unitRunnerSeesUnitsInOrderAndReusedUnitsChangeTheOutput() {
        DiT m = DiT.random(TINY, 4);
        Tensor x = Tensor.zeros(2, 4, 8, 8);
        java.util.List<Integer> seen = new java.util.ArrayList<>();
        Tensor full = m.forward(x, new float[]{10, 10}, new int[]{1, 2}, (u, f) -> {
            seen.add(u);
            return f.get();
        });
        assertEquals(java.util.List.of(0, 1, 2, 3), seen);
        Tensor zeroed = m.forward(x, new float[]{10, 10}, new int[]{1, 2},
                (u, f) -> u == 3 ? Tensor.zeros(2, 16, 32) : f.get());
        assertNotEquals(full.data()[5], zeroed.data()[5]);
    }

    @Test
    void packedWeightsGiveBitIdenticalForwardsHoldOnlyThePacksAndUnpackExactly() {
        DiT m = DiT.random(TINY, 5);
        StateDict original = m.stateDict();
        long plainBytes = m.weightBytes();
        Tensor x = Tensor.zeros(2, 4, 8, 8);
        for (int i = 0; i < x.numel(); i++) {
            x.data()[i] = (float) Math.sin(i);
        }
        float[] t = {10, 700};
        int[] y = {1, 10};
        float[] plain = m.forwardWithCfg(x, t, y, 1.5f, UnitRunner.COMPUTE_ALL).data();
        float[] packed = m.packWeights().forwardWithCfg(x, t, y, 1.5f, UnitRunner.COMPUTE_ALL).data();
        org.junit.jupiter.api.Assertions.assertArrayEquals(plain, packed, 0f);
        String fc1Key = "blocks.1.mlp.fc1.weight";
        assertNotSame(original.get(fc1Key), m.weight(fc1Key), "packed: no plain copy is held");
        assertTrue(m.weightBytes() < plainBytes + plainBytes / 2, "packed: panels instead of, not besides, the weights");
        for (String k : original.keys()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(original.get(k).data(), m.stateDict().get(k).data(), 0f, k);
        }
        m.unpackWeights();
        assertEquals(plainBytes, m.weightBytes());
        float[] fc1 = m.stateDict().get(fc1Key).data();
        fc1[0] += 0.5f;
        float[] changed = m.forward(x, t, y).data();
        float[] fresh = new DiT(TINY, m.stateDict()).forward(x, t, y).data();
        org.junit.jupiter.api.Assertions.assertArrayEquals(fresh, changed, 0f);
        assertNotEquals(m.forward(x, t, y).data()[3], new DiT(TINY, DiT.random(TINY, 5).stateDict()).forward(x, t, y).data()[3]);
    }

    /**
     * bf16 weights: the Linear weights are held rounded to bf16 in half the bytes, and the model computes bit for bit
     * what the fp32 model computes with those rounded weights (the other tensors stay fp32); packing as the weights
     * are drawn gives the bits of packing afterwards.
     */
    @Test
    void bf16WeightsComputeExactlyWhatFp32ComputesWithRoundedWeights() {
        DiT fp32 = DiT.random(TINY, 6);
        StateDict plain = fp32.stateDict();
        DiT bf16 = DiT.random(TINY, 6, WeightPrecision.BF16);
        assertEquals(WeightPrecision.BF16, bf16.weightPrecision());
        assertEquals(null, fp32.weightPrecision());
        StateDict held = bf16.stateDict();
        int roundedKeys = 0;
        for (String k : plain.keys()) {
            float[] want = plain.get(k).data().clone();
            boolean linear = k.endsWith(".weight") && !k.startsWith("y_embedder");
            if (linear) {
                roundedKeys++;
                for (int i = 0; i < want.length; i++) {
                    want[i] = Bf16.roundTrip(want[i]);
                }
            }
            assertArrayEquals(want, held.get(k).data(), 0f, k);
        }
        assertEquals(3 + 5 * TINY.depth() + 2, roundedKeys);
        Tensor x = Tensor.zeros(2, 4, 8, 8);
        for (int i = 0; i < x.numel(); i++) {
            x.data()[i] = (float) Math.cos(i);
        }
        float[] t = {10, 700};
        int[] y = {1, 10};
        float[] got = bf16.forwardWithCfg(x, t, y, 1.5f, UnitRunner.COMPUTE_ALL).data();
        float[] want = new DiT(TINY, held).packWeights().forwardWithCfg(x, t, y, 1.5f, UnitRunner.COMPUTE_ALL).data();
        assertArrayEquals(want, got, 0f);
        float[] full = fp32.packWeights().forwardWithCfg(x, t, y, 1.5f, UnitRunner.COMPUTE_ALL).data();
        assertNotEquals(full[5], got[5], "bf16 rounds the weights");
        assertTrue(bf16.weightBytes() < fp32.weightBytes() * 0.6, bf16.weightBytes() + " vs " + fp32.weightBytes());
        float[] packedAsDrawn = DiT.random(TINY, 6, WeightPrecision.FP32).forwardWithCfg(x, t, y, 1.5f, UnitRunner.COMPUTE_ALL).data();
        assertArrayEquals(full, packedAsDrawn, 0f);
    }

    /** Random weights: each key from its own stream, so reading order does not matter; the seed does. */
    @Test
    void randomWeightsDependOnTheSeedNotOnReadingOrder() {
        StateDict a = DiT.randomWeights(TINY, 9);
        StateDict b = DiT.randomWeights(TINY, 9);
        java.util.List<String> keys = new java.util.ArrayList<>(a.keys());
        java.util.Collections.reverse(keys);
        for (String k : keys) {
            assertArrayEquals(a.get(k).data(), b.get(k).data(), 0f, k);
        }
        String fc1 = "blocks.0.mlp.fc1.weight";
        assertArrayEquals(a.get(fc1).data(), a.get(fc1).data(), 0f, "a lazy entry reads the same values each time");
        assertNotEquals(a.get(fc1).data()[0], DiT.randomWeights(TINY, 10).get(fc1).data()[0]);
        assertNotEquals(a.get(fc1).data()[0], a.get("blocks.1.mlp.fc1.weight").data()[0]);
    }

    /** Inference code depends on the kernels only: the training tape reaches the forward through {@link Tape}. */
    @Test
    void modelDependsOnlyOnTensorAndNn() throws IOException {
        Pattern ref = Pattern.compile("io\\.ditcache\\.([a-z]+)\\.");
        try (var files = Files.list(Path.of("src/main/java/io/ditcache/model"))) {
            for (Path f : files.toList()) {
                Matcher m = ref.matcher(Files.readString(f));
                while (m.find()) {
                    assertTrue(Set.of("model", "nn", "tensor").contains(m.group(1)), f + " refers to " + m.group());
                }
            }
        }
    }
}
