package io.ditcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.diffusion.SampleListener;
import io.ditcache.diffusion.SampleSeeds;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-index seed rule: a sample's bits depend on (model, settings, policy, label, seed, index) alone, so any
 * split of a job into batches or shards reproduces the unsplit run bit for bit.
 */
class ShardDeterminismTest {
    private static final Pipeline EMBEDDED = load();
    private static final int N = 7;

    private static Pipeline load() {
        try {
            return Pipeline.load("default");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int[] labels(DiTConfig c, long from, int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = Pipeline.defaultLabel(c, from + i);
        }
        return y;
    }

    /** The unsplit run's samples, and the same job as parts [0, 3) and [3, 7) concatenated. */
    private static float[][] wholeAndSplit(Pipeline pipe, long seed) {
        DiTConfig c = pipe.model().config();
        float[] whole = pipe.sample(labels(c, 0, N), seed, 0, SampleListener.NONE).images().data();
        float[] a = pipe.sample(labels(c, 0, 3), seed, 0, SampleListener.NONE).images().data();
        float[] b = pipe.sample(labels(c, 3, N - 3), seed, 3, SampleListener.NONE).images().data();
        float[] split = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, split, a.length, b.length);
        return new float[][] {whole, split};
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "fora:2", "delta-dit", "router:harmonica", "router:l2c"})
    void aSplitRunEqualsTheWholeRunBitForBitForEveryPolicy(String policy) throws Exception {
        Pipeline pipe = EMBEDDED.sampler("ddim+clip", 10).cache(Cache.parse(policy));
        float[][] r = wholeAndSplit(pipe, 11);
        assertArrayEquals(r[0], r[1], policy);
    }

    @Test
    void theStochasticSamplerDrawsItsNoisePerIndexToo() {
        Pipeline pipe = EMBEDDED.sampler("ddpm+clip", 6);
        float[][] r = wholeAndSplit(pipe, 3);
        assertArrayEquals(r[0], r[1]);
        Pipeline ddim = EMBEDDED.sampler("ddim+clip", 6);
        assertNotEquals(Arrays.hashCode(r[0]), Arrays.hashCode(wholeAndSplit(ddim, 3)[0]), "ddpm adds noise");
    }

    @Test
    void sampleIStartsFromTheNoiseOfSeedAndIAlone() {
        DiTConfig c = EMBEDDED.model().config();
        int per = c.inChannels() * c.inputSize() * c.inputSize();
        Tensor x = Pipeline.noise(c, 5, 3, 42);
        for (int r = 0; r < 3; r++) {
            float[] expected = new float[per];
            new GaussianNoise(SampleSeeds.initialNoise(42, 5 + r)).fill(expected);
            assertArrayEquals(expected, Arrays.copyOfRange(x.data(), r * per, (r + 1) * per), "row " + r);
        }
        assertArrayEquals(Arrays.copyOfRange(Pipeline.noise(c, 0, 8, 42).data(), 5 * per, 8 * per), x.data(),
                "a prefix and a later range agree where they overlap");
        assertNotEquals(SampleSeeds.initialNoise(42, 0), SampleSeeds.initialNoise(42, 1));
        assertNotEquals(SampleSeeds.initialNoise(42, 0), SampleSeeds.initialNoise(43, 0));
        assertNotEquals(SampleSeeds.initialNoise(42, 0), SampleSeeds.samplerNoise(42, 0));
        assertThrows(InvalidSettingException.class, () -> Pipeline.noise(c, -1, 2, 0));
    }

    @Test
    void shardsCoverTheJobOnceInOrder() {
        for (int n : new int[] {1, 7, 10, 1001}) {
            for (int count = 1; count <= Math.min(n, 9); count++) {
                long next = 0;
                for (int k = 0; k < count; k++) {
                    Shard s = new Shard(k, count);
                    assertEquals(next, s.from(n), s + " of " + n);
                    next = s.to(n);
                    assertEquals(true, s.to(n) > s.from(n), "no empty part");
                }
                assertEquals(n, next);
            }
        }
        assertEquals(new Shard(2, 5), Shard.parse(" 2/5 "));
        for (String bad : new String[] {"5/5", "-1/3", "x/2", "3", "", "1/0"}) {
            assertThrows(InvalidSettingException.class, () -> Shard.parse(bad), bad);
        }
        assertThrows(InvalidSettingException.class, () -> new Shard(0, 8).checkFits(7, 1));
        assertThrows(InvalidSettingException.class, () -> new Shard(0, 3).checkFits(10, 5), "2 batches, 3 parts");
        // In batches: parts start on batch boundaries.
        long next = 0;
        for (int k = 0; k < 3; k++) {
            Shard s = new Shard(k, 3);
            assertEquals(next, s.from(23, 5));
            assertEquals(0, s.from(23, 5) % 5);
            next = s.to(23, 5);
        }
        assertEquals(23, next);
    }
}
