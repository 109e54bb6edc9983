package io.ditcache.cache;

import static io.ditcache.cache.TinyDrive.LABELS;
import static io.ditcache.cache.TinyDrive.MODEL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.diffusion.SampleListener;
import io.ditcache.diffusion.Samplers;
import io.ditcache.model.Macs;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CachedSamplingTest {
    @Test
    void noCacheThroughTheSamplerEqualsThePlainModel() {
        for (String sampler : new String[]{"ddim", "ddpm", "dpm++2m"}) {
            Tensor plain = Samplers.create(sampler, 5, 3).sample(TinyDrive.uncached(4f), TinyDrive.noise(1));
            CachedSampling.Result r = CachedSampling.sample(MODEL, new NoCache(), sampler, 5, 5, 3, LABELS, 4f,
                    TinyDrive.noise(1), false, SampleListener.NONE);
            assertArrayEquals(plain.data(), r.samples().data(), sampler);
            assertTrue(Double.isNaN(r.stats().wallMsUncached()));
        }
    }

    @Test
    void foraChangesTheSampleAndFewerRunsFewerSteps() {
        Tensor plain = Samplers.create("ddim", 6).sample(TinyDrive.uncached(4f), TinyDrive.noise(2));
        CachedSampling.Result fora = CachedSampling.sample(MODEL, new Fora(2), "ddim", 6, 6, 0, LABELS, 4f,
                TinyDrive.noise(2), true, SampleListener.NONE);
        assertFalse(Arrays.equals(plain.data(), fora.samples().data()));
        assertEquals(0.5, fora.stats().cacheUsageRatio());
        assertTrue(fora.stats().wallMsUncached() > 0);

        int[] calls = new int[1];
        CachedSampling.Result fewer = CachedSampling.sample(MODEL, new NoCache(), "ddim", 6, 3, 0, LABELS, 4f,
                TinyDrive.noise(2), false, (i, done, total) -> calls[0]++);
        assertEquals(3, calls[0]);
        assertArrayEquals(Samplers.create("ddim", 3).sample(TinyDrive.uncached(4f), TinyDrive.noise(2)).data(),
                fewer.samples().data());
        long perStep = 2L * LABELS.length * Macs.forward(TinyDrive.TINY);
        assertEquals(3 * perStep, fewer.stats().macs());
        assertEquals(6 * perStep, fewer.stats().macsUncached());
        assertEquals("fewer:3", fewer.stats().policy());
    }
}
