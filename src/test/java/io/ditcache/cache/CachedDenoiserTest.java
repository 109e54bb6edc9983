package io.ditcache.cache;

import static io.ditcache.cache.TinyDrive.LABELS;
import static io.ditcache.cache.TinyDrive.MODEL;
import static io.ditcache.cache.TinyDrive.TINY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CachedDenoiserTest {
    static final int STEPS = 6;

    @Test
    void computeAllAndForaOneReproduceTheUncachedDriveBitForBit() {
        for (float scale : new float[]{4f, 1f}) {
            Tensor reference = TinyDrive.drive(TinyDrive.uncached(scale), STEPS, TinyDrive.noise(1));
            for (CachePolicy p : new CachePolicy[]{new NoCache(), new Fora(1),
                    new FixedPlan(CachePlan.computeAll(STEPS, TINY.units()), "all")}) {
                CachedDenoiser d = new CachedDenoiser(MODEL, LABELS, scale, p, STEPS);
                Tensor x = TinyDrive.drive(d, STEPS, TinyDrive.noise(1));
                assertArrayEquals(reference.data(), x.data(), p.spec() + " at cfg " + scale);
                assertEquals(0.0, d.stats().cacheUsageRatio());
            }
        }
    }

    @Test
    void reusedUnitsReturnExactlyTheirMostRecentComputedTensor() {
        CachePlan plan = randomPlan(STEPS, TINY.units(), 0.5, 3);
        CachedDenoiser d = new CachedDenoiser(MODEL, LABELS, 4f, new FixedPlan(plan, "random"), STEPS);
        // Reference, run in lockstep: the plain model with reused units replaced by hand from its own table.
        Tensor[] table = new Tensor[TINY.units()];
        Tensor[] cachedAtComputeStep = new Tensor[TINY.units()];
        Tensor x = TinyDrive.noise(2);
        boolean differsFromUncached = false;
        for (int step = STEPS - 1; step >= 0; step--) {
            int s = step;
            float[] t = new float[LABELS.length];
            Arrays.fill(t, TinyDrive.timestep(step, STEPS));
            UnitRunner manual = (u, fresh) -> {
                if (lastComputed(plan, s, u) == s) {
                    table[u] = fresh.get();
                }
                return table[u];
            };
            Tensor both = MODEL.forwardWithCfg(x, t, LABELS, 4f, manual);
            float[] expected = Arrays.copyOf(both.data(), both.numel() / 2);
            Tensor out = d.predict(x, step, TinyDrive.timestep(step, STEPS));
            assertArrayEquals(expected, out.data(), "step " + step);
            for (int u = 0; u < TINY.units(); u++) {
                Tensor stored = d.cache().get(u);
                assertArrayEquals(table[u].data(), stored.data(), "cache slot " + u + " after step " + step);
                if (lastComputed(plan, step, u) == step) {
                    cachedAtComputeStep[u] = stored;
                } else {
                    assertSame(cachedAtComputeStep[u], stored, "a reused slot keeps its tensor: step " + step + " unit " + u);
                }
            }
            Tensor plain = TinyDrive.uncached(4f).predict(x, step, TinyDrive.timestep(step, STEPS));
            differsFromUncached |= !Arrays.equals(plain.data(), expected);
            x = TinyDrive.move(x, out);
        }
        assertTrue(differsFromUncached, "reuse must change the output, or this test proves nothing");
    }

    /** The step at or before {@code step} (in sampling order) that computes {@code unit}; the first step always does. */
    static int lastComputed(CachePlan plan, int step, int unit) {
        for (int s = step; s < plan.steps(); s++) {
            if (plan.compute(s, unit) || s == plan.steps() - 1) {
                return s;
            }
        }
        throw new AssertionError();
    }

    static CachePlan randomPlan(int steps, int units, double reuse, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean[][] c = new boolean[steps][units];
        for (boolean[] row : c) {
            for (int u = 0; u < units; u++) {
                row[u] = r.nextDouble() >= reuse;
            }
        }
        return CachePlan.of(c);
    }

    @Test
    void emptySlotsAreComputedWhateverThePlanSays() {
        boolean[][] none = new boolean[STEPS][TINY.units()];
        CachedDenoiser d = new CachedDenoiser(MODEL, LABELS, 4f, new FixedPlan(CachePlan.of(none), "reuse-all"), STEPS);
        TinyDrive.drive(d, STEPS, TinyDrive.noise(3));
        CacheStats s = d.stats();
        assertEquals(STEPS * TINY.units(), s.unitExecutions());
        assertEquals((STEPS - 1) * TINY.units(), s.reusedUnitExecutions());
        assertEquals((STEPS - 1) / (double) STEPS, s.cacheUsageRatio(), 1e-12);
        long[] perStep = s.perStepReused();
        assertEquals(0, perStep[STEPS - 1]);
        assertEquals(TINY.units(), perStep[0]);
        assertTrue(s.planMap().startsWith("step 5  ## ## ##\nstep 4  .. .. ..\n"), s.planMap());
    }

    @Test
    void macsMatchAHandCount() {
        // tiny: T = 16 tokens, D = 32, MLP 128, patch 2, 4 -> 8 channels, depth 3
        long attention = 16 * 32 * 96 + 2 * 16 * 16 * 32 + 16 * 32 * 32; // qkv + QK^T and PV + proj = 81920
        long mlp = 2 * 16 * 32 * 128;                                       // fc1 + fc2 = 131072
        long always = 16 * 16 * 32                                          // patch embed (4*2*2 -> 32)
                + 256 * 32 + 32 * 32                                        // timestep MLP
                + 3 * 32 * 192                                              // adaLN of 3 blocks
                + 32 * 64 + 16 * 32 * 32;                                   // final adaLN + linear (32 -> 2*2*8)
        assertEquals(81920, attention);
        assertEquals(131072, mlp);
        CachedDenoiser d = new CachedDenoiser(MODEL, LABELS, 4f, new Fora(2), 4);
        TinyDrive.drive(d, 4, TinyDrive.noise(4));
        long batch = 2 * LABELS.length; // guidance doubles the forward batch
        long fullStep = always + 3 * (attention + mlp);
        assertEquals(batch * (4 * always + 2 * 3 * (attention + mlp)), d.stats().macs());
        assertEquals(batch * 4 * fullStep, d.stats().macsUncached());
        assertEquals(0.5, d.stats().cacheUsageRatio());

        CachedDenoiser fewer = new CachedDenoiser(MODEL, LABELS, 1f, new NoCache(), 2, 4);
        TinyDrive.drive(fewer, 2, TinyDrive.noise(4));
        assertEquals(LABELS.length * 2 * fullStep, fewer.stats().macs());
        assertEquals(LABELS.length * 4 * fullStep, fewer.stats().macsUncached());
    }

    @Test
    void aPlanThatNeverReusesStoresNothing() {
        for (CachePolicy p : new CachePolicy[] {new NoCache(), new Fora(1)}) {
            for (int baseline : new int[] {STEPS, STEPS + 2}) { // the latter: fewer:K
                CachedDenoiser d = new CachedDenoiser(MODEL, LABELS, 4f, p, STEPS, baseline);
                TinyDrive.drive(d, STEPS, TinyDrive.noise(5));
                String what = d.stats().policy();
                assertEquals(0, d.stats().peakCacheBytes(), what);
                assertEquals(0, d.stats().reusedUnitExecutions(), what);
                assertTrue(d.stats().cacheBytesBound() > 0, what);
            }
        }
    }

    @Test
    void macsAreDescribedWithoutRoundingToOneX() {
        assertEquals("71.2 of 142 GMACs (2.00x fewer)", CacheStats.describeMacs(71_200_000_000L, 142_400_000_000L));
        assertEquals("142 GMACs (as many as uncached)", CacheStats.describeMacs(142_000_000_000L, 142_000_000_000L));
        assertEquals("70.0 of 70.1 GMACs (0.1% fewer)", CacheStats.describeMacs(70_000_000_000L, 70_070_000_000L));
        assertEquals("1.20 of 2.40 TMACs (2.00x fewer)", CacheStats.describeMacs(1_200_000_000_000L, 2_400_000_000_000L));
    }

    @Test
    void cacheMemoryStaysWithinItsBound() {
        CachedDenoiser d = new CachedDenoiser(MODEL, LABELS, 4f, new Fora(3), STEPS);
        TinyDrive.drive(d, STEPS, TinyDrive.noise(5));
        long bound = 2L * TINY.depth() * (2 * LABELS.length) * TINY.tokens() * TINY.hidden() * 4;
        assertEquals(bound, FeatureCache.bound(TINY, 2 * LABELS.length));
        assertEquals(bound, d.stats().cacheBytesBound());
        assertEquals(bound, d.stats().peakCacheBytes(), "every slot holds one [2B, T, D] tensor, no more");
        assertTrue(d.cache().bytes() <= bound);
        TinyDrive.drive(d, STEPS, TinyDrive.noise(6));
        assertEquals(bound, d.cache().peakBytes(), "a second trajectory replaces, never adds");
        assertEquals(2, d.stats().trajectories());
    }

    @Test
    void aNewTrajectoryStartsWithAnEmptyCache() {
        CachePlan reuseAll = CachePlan.of(new boolean[4][TINY.units()]);
        CachedDenoiser d = new CachedDenoiser(MODEL, LABELS, 4f, new FixedPlan(reuseAll, "reuse-all"), 4);
        Tensor a = TinyDrive.drive(d, 4, TinyDrive.noise(7));
        Tensor b = TinyDrive.drive(d, 4, TinyDrive.noise(7));
        assertEquals(2 * 3 * TINY.units(), d.stats().reusedUnitExecutions());
        assertArrayEquals(a.data(), b.data(), "state from the first trajectory must not leak into the second");
    }

    @Test
    void callsOutOfSamplerOrderAreRejected() {
        CachedDenoiser d = new CachedDenoiser(MODEL, LABELS, 4f, new NoCache(), 4);
        Tensor x = TinyDrive.noise(8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.predict(x, 2, 500));
        assertTrue(e.getMessage().contains("steps 3 down to 0"), e.getMessage());
        d.predict(x, 3, 750);
        assertThrows(IllegalStateException.class, () -> d.predict(x, 1, 250));
        assertThrows(IllegalArgumentException.class, () -> d.predict(TinyDrive.noise(8).reshape(1, 8, 8, 8), 2, 500));
    }

    @Test
    void fbcacheReusesEverythingButBlockZeroWhenTheThresholdIsHuge() {
        CachedDenoiser lazy = new CachedDenoiser(MODEL, LABELS, 4f, new FirstBlockCache(1e9), STEPS);
        TinyDrive.drive(lazy, STEPS, TinyDrive.noise(9));
        assertEquals((STEPS - 1) * (TINY.units() - 2), lazy.stats().reusedUnitExecutions());
        CachedDenoiser eager = new CachedDenoiser(MODEL, LABELS, 4f, new FirstBlockCache(0), STEPS);
        Tensor x = TinyDrive.drive(eager, STEPS, TinyDrive.noise(9));
        assertEquals(0, eager.stats().reusedUnitExecutions());
        assertArrayEquals(TinyDrive.drive(TinyDrive.uncached(4f), STEPS, TinyDrive.noise(9)).data(), x.data());
    }

    @Test
    void statsJsonAndSummaryCarryTheFigures() throws Exception {
        CachedDenoiser d = new CachedDenoiser(MODEL, LABELS, 4f, new Fora(2), 4);
        TinyDrive.drive(d, 4, TinyDrive.noise(10));
        d.stats().setWallMsUncached(123.0);
        java.nio.file.Path f = java.nio.file.Files.createTempDirectory("stats").resolve("s.json");
        d.stats().writeJson(f);
        String json = java.nio.file.Files.readString(f);
        for (String key : new String[]{"\"cache_usage_ratio\": 0.500000", "\"macs\": " + d.stats().macs(),
                "\"macs_uncached\": " + d.stats().macsUncached(), "\"wall_ms\":", "\"wall_ms_uncached\": 123.000",
                "\"per_step_reused\": [0, 6, 0, 6]", "\"step_order\": \"sampling order", "\"peak_cache_bytes\":", "\"plan_map\""}) {
            assertTrue(json.contains(key), key + " missing in\n" + json);
        }
        assertFalse(json.contains("NaN"));
        String line = d.stats().summary();
        assertTrue(line.startsWith("cache fora:2: reused 50.0% of unit executions"), line);
        assertTrue(line.contains("uncached"), line);
    }
}
