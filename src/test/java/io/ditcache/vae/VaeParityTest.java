package io.ditcache.vae;

import static io.ditcache.reference.ReferenceFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Reference;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Both decoders against the PyTorch reference, within 1e-4 of the output's scale, in every key naming. */
class VaeParityTest {
    @Test
    void sdVaeMatchesReferenceFromDiffusersFolder() throws Exception {
        LatentDecoder d = LatentDecoders.load(VaeFixtures.resource(VaeFixtures.SD_WEIGHTS));
        assertEquals(VaeFixtures.TINY_SD, ((SdVaeDecoder) d).config(), "config from the shapes and config.json");
        assertClose("sd images", VaeFixtures.golden("sd_images"), d.decode(VaeFixtures.golden("sd_latents")));
        assertClose("sd images, 6 x 10 latent", VaeFixtures.golden("sd_images_rect"),
                d.decode(VaeFixtures.golden("sd_latents_rect")));
    }

    @Test
    void olderAndCompVisNamingsDecodeTheSameBits() throws Exception {
        StateDict w = VaeFixtures.sdWeights();
        Tensor z = VaeFixtures.golden("sd_latents");
        float[] expected = SdVaeDecoder.of(VaeFixtures.TINY_SD, w, "diffusers").decode(z).data();
        StateDict legacy = new StateDict();
        for (Map.Entry<String, Tensor> e : w.tensors().entrySet()) {
            legacy.put(e.getKey().replace(".to_q.", ".query.").replace(".to_k.", ".key.").replace(".to_v.", ".value.")
                    .replace(".to_out.0.", ".proj_attn."), e.getValue());
        }
        assertEquals(SdVaeLayout.DIFFUSERS_LEGACY_ATTENTION, SdVaeLayout.detect(legacy));
        assertArrayEquals(expected, SdVaeDecoder.of(VaeFixtures.TINY_SD, legacy, "legacy").decode(z).data());
        StateDict compvis = VaeFixtures.asCompVis(w);
        assertEquals(SdVaeLayout.COMPVIS, SdVaeLayout.detect(compvis));
        assertEquals(VaeFixtures.TINY_SD, LatentDecoders.sdConfig(compvis, Map.of("norm_num_groups", 4L)));
        assertArrayEquals(expected, SdVaeDecoder.of(VaeFixtures.TINY_SD, compvis, "compvis").decode(z).data());
    }

    @Test
    void taesdMatchesReferenceInBothNamings() throws Exception {
        LatentDecoder d = LatentDecoders.load(VaeFixtures.resource(VaeFixtures.TAESD_WEIGHTS));
        Tensor z = VaeFixtures.golden("taesd_latents");
        Tensor images = d.decode(z);
        assertClose("taesd images", VaeFixtures.golden("taesd_images"), images);
        StateDict raw = io.ditcache.io.WeightsFiles.load(VaeFixtures.resource(VaeFixtures.TAESD_WEIGHTS));
        StateDict tiny = new StateDict();
        for (Map.Entry<String, Tensor> e : raw.tensors().entrySet()) {
            int dot = e.getKey().indexOf('.');
            tiny.put("decoder.layers." + (Integer.parseInt(e.getKey().substring(0, dot)) - 1) + e.getKey().substring(dot),
                    e.getValue());
        }
        assertArrayEquals(images.data(), TaesdDecoder.of(tiny, "AutoencoderTiny").decode(z).data());
    }

    /** Every 3x3 convolution as Winograd (auto leaves these narrow fixtures' to im2col): the same bar. */
    @Test
    void winogradEverywhereMatchesTheReference() throws Exception {
        StateDict sdWeights = VaeFixtures.sdWeights();
        StateDict taesdWeights = io.ditcache.io.WeightsFiles.load(VaeFixtures.resource(VaeFixtures.TAESD_WEIGHTS));
        LatentDecoder sd = Reference.withConvolution("winograd",
                () -> SdVaeDecoder.of(VaeFixtures.TINY_SD, sdWeights, "sd"));
        LatentDecoder taesd = Reference.withConvolution("winograd", () -> TaesdDecoder.of(taesdWeights, "taesd"));
        assertClose("sd images", VaeFixtures.golden("sd_images"), sd.decode(VaeFixtures.golden("sd_latents")));
        assertClose("sd images, 6 x 10 latent", VaeFixtures.golden("sd_images_rect"),
                sd.decode(VaeFixtures.golden("sd_latents_rect")));
        assertClose("taesd images", VaeFixtures.golden("taesd_images"),
                taesd.decode(VaeFixtures.golden("taesd_latents")));
    }

    @Test
    void chunksAndThreadCountsGiveTheSameBits() throws Exception {
        LatentDecoder d = LatentDecoders.load(VaeFixtures.resource(VaeFixtures.SD_WEIGHTS));
        Tensor z = VaeFixtures.golden("sd_latents");
        float[] whole = Parallel.withThreads(1, () -> d.decode(z, 2)).data();
        assertArrayEquals(whole, Parallel.withThreads(3, () -> d.decode(z, 1)).data());
    }
}
