package io.ditcache.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.reference.ReferenceFixtures;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The FULL-size SD-VAE (49,490,179 decoder parameters) and TAESD (1,222,531) against the PyTorch reference, numerically:
 * both sides fill the decoders with the spec weights ({@link SpecWeights}, {@code tools/reference/spec_weights.py}),
 * keyed as the real files are (the reference's keys in {@code layouts.json}), and decode latents from the same spec;
 * Java loads them through the loader of real files ({@link LatentDecoders#of}) and must match
 * {@code full_size.safetensors} within 1e-4 of the output's largest value.
 */
class FullSizeParityTest {
    private static final double REL_TOL = 1e-4;

    /** Asserts max |actual - expected| / max |expected| at most {@link #REL_TOL} (and prints it). */
    private static void assertRelativeClose(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + actual.shapeString());
        double scale = expected.maxAbs();
        assertTrue(scale > 0.1, what + ": the reference's output is ~0 (" + scale + ")");
        double err = ReferenceFixtures.maxAbsDiff(expected.data(), actual.data()) / scale;
        System.out.printf("%s: max |diff| / max |reference| = %.3g (max |reference| %.4f)%n", what, err, scale);
        assertTrue(err <= REL_TOL, what + ": max |diff| / max |reference| = " + err + " exceeds " + REL_TOL);
    }

    private static StateDict specWeights(String layout) throws Exception {
        return SpecWeights.of((List<?>) VaeFixtures.layouts().get(layout));
    }

    @Test
    void javaSpecWeightsAreThoseOfThePythonGenerator() throws Exception {
        assertArrayEquals(VaeFixtures.fullSize("sd_latents").data(), SpecWeights.latents("sd_latents", 1, 4, 4, 4).data());
        assertArrayEquals(VaeFixtures.fullSize("taesd_latents").data(),
                SpecWeights.latents("taesd_latents", 1, 4, 8, 8).data());
        String[][] probes = {{"probe_conv", "decoder.conv_in.weight"}, {"probe_norm", "decoder.conv_norm_out.weight"},
                {"probe_bias", "decoder.conv_in.bias"}};
        int[][] shapes = {{512, 4, 3, 3}, {128}, {512}};
        for (int p = 0; p < probes.length; p++) {
            float[] ours = Arrays.copyOf(SpecWeights.tensor(probes[p][1], shapes[p]).data(), 8);
            assertArrayEquals(VaeFixtures.fullSize(probes[p][0]).data(), ours, probes[p][1]);
        }
    }

    @Test
    void fullSizeSdVaeMatchesTheReferenceInDiffusersAndCompVisNaming() throws Exception {
        StateDict w = specWeights("sd_vae");
        LatentDecoder d = LatentDecoders.of(w, Map.of(), "spec weights");
        assertEquals(SdVaeConfig.SD_VAE, ((SdVaeDecoder) d).config(), "config read off the full-size shapes");
        Tensor z = SpecWeights.latents("sd_latents", 1, 4, 4, 4);
        Tensor images = d.decode(z);
        assertRelativeClose("sd-vae full size", VaeFixtures.fullSize("sd_images"), images);
        // The same weights under the CompVis names (the full-size keys are the tiny model's), in a whole checkpoint.
        StateDict compvis = VaeFixtures.asCompVis(w);
        assertEquals(w.size() + 1, compvis.size(), "every full-size key has a CompVis name");
        assertArrayEquals(images.data(), LatentDecoders.of(compvis, Map.of(), "compvis").decode(z).data());
    }

    @Test
    void fullSizeTaesdMatchesTheReference() throws Exception {
        LatentDecoder d = LatentDecoders.of(specWeights("taesd"), Map.of(), "spec weights");
        assertEquals(1_222_531L, d.parameters());
        Tensor images = d.decode(SpecWeights.latents("taesd_latents", 1, 4, 8, 8));
        assertRelativeClose("taesd full size", VaeFixtures.fullSize("taesd_images"), images);
    }
}
