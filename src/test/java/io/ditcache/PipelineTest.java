package io.ditcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.CachedSampling;
import io.ditcache.cache.Fora;
import io.ditcache.cache.RouterPolicy;
import io.ditcache.cache.ShippedRouterSet;
import io.ditcache.cache.ShippedRouters;
import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.diffusion.SampleListener;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library's front door: loading, a pipeline built in one line, its samples equal to the sampling they wrap. */
class PipelineTest {
    static final DiTConfig TINY = new DiTConfig("tiny-pixel", 2, 32, 4, 4, 1, 16, 3, false, 2);
    static final int[] LABELS = {0, 1, 2};

    @TempDir
    Path dir;

    private static DiT tiny() {
        return DiT.random(TINY, 1);
    }

    /** What the pipeline wraps, called directly: the noise of the seed rule (row r from (seed, r)), then CachedSampling. */
    private static CachedSampling.Result direct(DiT model, io.ditcache.cache.CachePolicy policy, String sampler, int steps,
                                                float cfg, int[] labels, long seed) {
        Tensor xT = Tensor.zeros(labels.length, model.config().inChannels(), model.config().inputSize(),
                model.config().inputSize());
        int per = xT.numel() / labels.length;
        for (int r = 0; r < labels.length; r++) {
            new GaussianNoise(io.ditcache.diffusion.SampleSeeds.initialNoise(seed, r)).fill(xT.data(), r * per, (r + 1) * per);
        }
        return CachedSampling.sample(model, policy, sampler, steps, steps, seed, labels, cfg, xT, false,
                SampleListener.NONE);
    }

    @Test
    void theEmbeddedPipelineEqualsCachedSamplingBitForBitWithTheEmbeddedDefaults() throws Exception {
        Pipeline plain = Pipeline.load("default");
        assertEquals(SamplerSettings.EMBEDDED, plain.settings(), "defaults follow the embedded model");
        assertTrue(plain.model().isPacked(), "ready to run");
        Pipeline pipe = plain.sampler("ddim+clip", 10).guidance(1.5).cache(Cache.router("harmonica"));
        assertEquals("router:dit-fmnist-harmonica-ddim10", pipe.cache().spec(), "the set picks the router for 10 steps");
        int[] labels = {0, 7};
        Samples s = pipe.sample(labels, 42);
        RouterPolicy router = new RouterPolicy(ShippedRouters.load("dit-fmnist-harmonica-ddim10"),
                "dit-fmnist-harmonica-ddim10", Double.NaN);
        CachedSampling.Result r = direct(pipe.model(), router, "ddim+clip", 10, 1.5f, labels, 42);
        assertArrayEquals(r.samples().data(), s.images().data(), 0f);
        assertEquals(r.stats().cacheUsageRatio(), s.stats().cacheUsageRatio());
        assertTrue(s.stats().cacheUsageRatio() > 0);
        assertTrue(s.stats().summary().startsWith("cache router:dit-fmnist-harmonica-ddim10: reused "), s.stats().summary());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> pipe.steps(30));
        assertTrue(none.getMessage().contains("no harmonica router ships for 30 sampling steps")
                && none.getMessage().contains("[10, 20, 50]"), none.getMessage());
    }

    @Test
    void everyPolicyAndSamplerRunsAsTheDirectCallAndFewerIsAShorterSampler() throws Exception {
        Pipeline pipe = Pipeline.of(tiny());
        assertEquals(SamplerSettings.DEFAULT, pipe.settings());
        for (String spec : new String[] {"none", "fora:2", "delta-dit", "fbcache:0.2"}) {
            for (String sampler : new String[] {"ddim", "ddpm"}) {
                Samples s = pipe.sampler(sampler, 4).guidance(4).cache(Cache.parse(spec)).sample(LABELS, 5);
                CachedSampling.Result r = direct(pipe.model(), Cache.parse(spec), sampler, 4, 4f, LABELS, 5);
                assertArrayEquals(r.samples().data(), s.images().data(), 0f, spec + " " + sampler);
            }
        }
        Pipeline fora = pipe.steps(4).cache(Cache.fora(2));
        assertArrayEquals(fora.sample(LABELS, 5).images().data(), fora.sample(LABELS, 5).images().data(), 0f,
                "same seed, same bits");
        assertFalse(Arrays.equals(fora.sample(LABELS, 5).images().data(), fora.sample(LABELS, 6).images().data()));
        Samples fewer = pipe.steps(4).fewerSteps(3).sample(LABELS, 5);
        assertArrayEquals(pipe.steps(3).sample(LABELS, 5).images().data(), fewer.images().data(), 0f);
        assertTrue(fewer.stats().toJson().contains("\"steps\": 3,"), fewer.stats().toJson());
        assertTrue(fewer.stats().toJson().contains("\"baseline_steps\": 4,"), fewer.stats().toJson());
        assertEquals("fewer:3", fewer.stats().policy());
        assertEquals(pipe.steps(4).fewerSteps(3).settings(),
                pipe.steps(4).method(Cache.parseMethod("fewer:3", 0.1)).settings());
        InvalidSettingException more = assertThrows(InvalidSettingException.class, () -> pipe.fewerSteps(3).steps(2));
        assertEquals("fewer steps must be in [1, 2] (at most the 2 steps asked for), got 3", more.getMessage());
        Samples foraFewer = pipe.steps(4).fewerSteps(3).cache(Cache.fora(2)).sample(LABELS, 5);
        assertArrayEquals(pipe.steps(3).cache(Cache.fora(2)).sample(LABELS, 5).images().data(),
                foraFewer.images().data(), 0f, "a policy runs over the fewer steps");
        assertEquals("fora:2 (fewer:3)", foraFewer.stats().policy());
        assertEquals(new Fora(2), Cache.fora(2));
        assertEquals(Cache.fora(2), Cache.parse("fora:2"));
    }

    @Test
    void withTheUncachedRunTheSamplesComeWithTheirReferenceAndQuality() {
        Pipeline pipe = Pipeline.of(tiny()).steps(4).cache(Cache.fora(2));
        Samples s = pipe.sampleWithUncached(LABELS, 9, SampleListener.NONE);
        assertArrayEquals(pipe.sample(LABELS, 9).images().data(), s.images().data(), 0f);
        assertArrayEquals(pipe.cache(Cache.none()).sample(LABELS, 9).images().data(), s.uncached().data(), 0f);
        assertTrue(s.stats().toJson().contains("\"psnr_vs_uncached\""), s.stats().toJson());
        assertTrue(s.stats().wallMsUncached() > 0);
        assertNull(pipe.sample(LABELS, 9).uncached());
    }

    @Test
    void samplesAreWrittenAsAPngGridAndAsTensors() throws Exception {
        Samples s = Pipeline.of(tiny()).steps(2).sample(LABELS, 3);
        Path png = dir.resolve("sub/grid.png");
        s.writePng(png);
        BufferedImage image = ImageIO.read(png.toFile());
        int cell = 16 * Samples.GRID_SCALE + 2;
        assertEquals(3 * cell + 2, image.getWidth());
        assertEquals(cell + 2, image.getHeight());
        Path st = dir.resolve("samples.safetensors");
        s.writeLatents(st);
        StateDict sd = SafeTensors.read(st);
        assertArrayEquals(s.images().data(), sd.get("samples").data(), 0f);
        assertArrayEquals(new float[] {0, 1, 2}, sd.get("labels").data(), 0f);
        assertEquals("3", sd.metadata().get("seed"));
        assertEquals("none", sd.metadata().get("cache"));
        assertEquals("2", sd.metadata().get("steps"));
        assertNull(sd.metadata().get("schedule_steps"));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files left");
        }
        Path fewer = dir.resolve("fewer.safetensors");
        Pipeline.of(tiny()).steps(4).fewerSteps(2).sample(LABELS, 3).writeLatents(fewer);
        StateDict meta = SafeTensors.read(fewer);
        assertEquals("2", meta.metadata().get("steps"), "the steps that ran");
        assertEquals("4", meta.metadata().get("schedule_steps"));
    }

    @Test
    void errorsNameTheSettingAndValueNotAFlag() throws Exception {
        InvalidSettingException missing = assertThrows(InvalidSettingException.class,
                () -> Models.load(dir.resolve("missing.pt").toString()));
        assertEquals("model", missing.setting());
        assertTrue(missing.getMessage().startsWith("model " + dir.resolve("missing.pt") + ": no such file"),
                missing.getMessage());
        InvalidSettingException steps = assertThrows(InvalidSettingException.class, () -> new SamplerSettings("ddim", 0, 1.5f));
        assertEquals("steps must be in [1, 1000], got 0", steps.getMessage());
        assertEquals("sampler", assertThrows(InvalidSettingException.class,
                () -> SamplerSettings.DEFAULT.withSampler("euler", 20)).setting());
        InvalidSettingException labels = assertThrows(InvalidSettingException.class,
                () -> Pipeline.of(tiny()).sample(new int[] {3}, 0));
        assertEquals("labels: 3 is outside [0, 2]", labels.getMessage());
        InvalidSettingException cache = assertThrows(InvalidSettingException.class, () -> Cache.parse("fora:zero"));
        assertTrue(cache.getMessage().startsWith("cache 'fora:zero': "), cache.getMessage());
        assertEquals("threshold", assertThrows(InvalidSettingException.class,
                () -> Cache.router("harmonica", 1.5)).setting());
        IllegalArgumentException shipped = assertThrows(IllegalArgumentException.class,
                () -> Pipeline.of(tiny()).steps(20).cache(Cache.router("dit-fmnist-harmonica-ddim20")));
        assertTrue(shipped.getMessage().endsWith("(dit-fmnist-harmonica-ddim20 is a shipped router, made for the"
                + " embedded model, 'default')"), shipped.getMessage());
        InvalidSettingException fewer = assertThrows(InvalidSettingException.class,
                () -> Pipeline.of(tiny()).steps(4).fewerSteps(5));
        for (Exception e : new Exception[] {missing, steps, labels, cache, shipped, fewer}) {
            assertFalse(e.getMessage().contains("--"), e.getMessage());
        }
        assertInstanceOf(ShippedRouterSet.class, Cache.router("L2C"), "a method names the shipped set");
    }
}
