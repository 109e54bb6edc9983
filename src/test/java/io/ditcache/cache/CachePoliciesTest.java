package io.ditcache.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.Cache;
import io.ditcache.Method;
import io.ditcache.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CachePoliciesTest {
    @Test
    void parsesEverySpec() throws Exception {
        assertInstanceOf(NoCache.class, Cache.parse("none", Double.NaN));
        assertEquals(new Method(new NoCache(), 14), Cache.parseMethod("fewer:14", 0.1));
        assertEquals(14, Cache.parseMethod("fewer:14", 0.1).runSteps(20));
        assertEquals(Method.of(new Fora(3)), Cache.parseMethod("fora:3", 0.1));
        assertEquals(20, Cache.parseMethod("fora:3", 0.1).runSteps(20));
        assertEquals(new Fora(3), Cache.parse(" FORA:3 ", Double.NaN));
        assertEquals(DeltaDiT.DEFAULT, Cache.parse("delta-dit", Double.NaN));
        assertEquals(new DeltaDiT(3, 5, 0.4), Cache.parse("delta-dit:interval=3,blocks=5,boundary=0.4", Double.NaN));
        assertEquals(new DeltaDiT(2, 4, 0.5), Cache.parse("delta-dit:blocks=4", Double.NaN));
        assertEquals(new FirstBlockCache(0.08), Cache.parse("fbcache:0.08", Double.NaN));
    }

    @Test
    void badSpecsNameTheProblemAndTheSyntax() {
        for (String spec : new String[]{"", "fora", "fora:0", "fora:x", "fewer:-1", "none:3", "lru:2",
                "delta-dit:interval=0", "delta-dit:depth=3", "delta-dit:3", "delta-dit:boundary=1.5", "fbcache:-1",
                "fbcache:", "router:"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Cache.parse(spec, Double.NaN), spec);
            assertTrue(e.getMessage().startsWith("cache '" + spec + "': ") && e.getMessage().contains("; syntax: "), e.getMessage());
        }
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Cache.parse("router:/nonexistent.safetensors", 0.1));
    }

    @Test
    void fewerIsASamplerSettingThatParseMethodReadsAndParseRefuses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cache.parse("fewer:14", 0.1));
        assertTrue(e.getMessage().startsWith("cache 'fewer:14': fewer:K is a sampler setting, not a cache policy:"
                + " Pipeline.fewerSteps(14)"), e.getMessage());
    }

    @Test
    void foraRecomputesEveryNthStepFromTheFirst() {
        CachePlan p = new Fora(3).plan(7, 4);
        String expected = ""
                + "step 6  ## ##\n"
                + "step 5  .. ..\n"
                + "step 4  .. ..\n"
                + "step 3  ## ##\n"
                + "step 2  .. ..\n"
                + "step 1  .. ..\n"
                + "step 0  ## ##\n";
        assertEquals(expected, p.toMap());
        assertEquals(12, p.computeCount());
        assertEquals(16, p.reuseCount());
        assertEquals(16 / 28.0, p.usageRatio(), 1e-12);
        assertEquals(CachePlan.computeAll(7, 4), new Fora(1).plan(7, 4));
        assertEquals(0.5, new Fora(2).plan(20, 56).usageRatio());
    }

    @Test
    void deltaDitReusesRearBlocksEarlyAndFrontBlocksLate() {
        // depth 4, N = 2 blocks, refresh every 2nd step, the first half of 8 steps is early
        CachePlan p = new DeltaDiT(2, 2, 0.5).plan(8, 8);
        String expected = ""
                + "step 7  ## ## ## ##\n"   // p=0 full
                + "step 6  ## ## .. ..\n"   // p=1 early: rear blocks 2,3 reused
                + "step 5  ## ## ## ##\n"   // p=2 full
                + "step 4  ## ## .. ..\n"   // p=3 early
                + "step 3  ## ## ## ##\n"   // p=4 full
                + "step 2  .. .. ## ##\n"   // p=5 late: front blocks 0,1 reused
                + "step 1  ## ## ## ##\n"
                + "step 0  .. .. ## ##\n";
        assertEquals(expected, p.toMap());
        assertEquals(new DeltaDiT(2, 2, 0.5).plan(8, 8), DeltaDiT.DEFAULT.plan(8, 8), "blocks=0 means depth/2");
        assertThrows(IllegalArgumentException.class, () -> new DeltaDiT(2, 5, 0.5).plan(8, 8));
    }

    @Test
    void fbcacheComparesWithTheLastFullyComputedStep() {
        CacheSchedule s = new FirstBlockCache(0.05).start(6, 6);
        Tensor ref = Tensor.of(new float[]{1, -2, 3, -4}, 1, 1, 4);
        double[] factors = {1.0, 1.01, 1.04, 1.06, 1.07, 1.2};
        // rel. change vs the last full step: -, 0.01, 0.04, 0.06 (refresh), 0.01/1.06, 0.14/1.06 (refresh)
        boolean[] reuseRest = {false, true, true, false, true, false};
        for (int k = 0; k < 6; k++) {
            int step = 5 - k;
            assertTrue(s.compute(step, 0));
            s.computed(step, 0, ref);
            assertTrue(s.compute(step, 1));
            s.computed(step, 1, scaled(ref, factors[k]));
            for (int u = 2; u < 6; u++) {
                assertEquals(!reuseRest[k], s.compute(step, u), "step " + step + " unit " + u);
            }
        }
        assertEquals(0.0, FirstBlockCache.relativeL1(ref, ref));
        assertEquals(0.1, FirstBlockCache.relativeL1(scaled(ref, 1.1), ref), 1e-6);
    }

    private static Tensor scaled(Tensor t, double f) {
        float[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (d[i] * f);
        }
        return Tensor.of(d, t.shape());
    }

    @Test
    void planRejectsRaggedMatrices() {
        assertThrows(IllegalArgumentException.class, () -> CachePlan.of(new boolean[][]{{true}, {true, false}}));
        assertThrows(IllegalArgumentException.class, () -> CachePlan.of(new boolean[0][0]));
    }
}
