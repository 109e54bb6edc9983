package io.ditcache.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The full-size decoders: key names and shapes equal to those of the PyTorch reference's full-size modules (the
 * keys of the real {@code diffusion_pytorch_model.safetensors} and {@code taesd_decoder.pth}), in the same order, the
 * parameter counts, the MACs, and one SD-VAE decode of a small latent.
 */
class FullSizeLayoutTest {
    /** One full-size SD-VAE with random weights for all tests (building it is most of their time). */
    private static LatentDecoder sdVae;

    private static synchronized LatentDecoder sdVae() {
        if (sdVae == null) {
            sdVae = LatentDecoders.random("sd-vae", 7);
        }
        return sdVae;
    }

    /** Same keys (in any order: the real files sort them) with the same shapes. */
    private static void assertSameLayout(String what, List<?> reference, Map<String, int[]> ours) {
        Map<String, String> expected = new TreeMap<>();
        for (Object o : reference) {
            List<?> entry = (List<?>) o;
            expected.put((String) entry.get(0), entry.get(1).toString().replace(" ", ""));
        }
        Map<String, String> actual = new TreeMap<>();
        ours.forEach((k, v) -> actual.put(k, Arrays.toString(v).replace(" ", "")));
        assertEquals(expected, actual, what);
    }

    @Test
    void sdVaeHasTheReferenceKeysShapesAndCounts() throws Exception {
        Map<?, ?> layouts = VaeFixtures.layouts();
        Map<String, int[]> ours = sdVae().layout();
        assertSameLayout("sd-vae", (List<?>) layouts.get("sd_vae"), ours);
        long decoder = 0;
        for (Map.Entry<String, int[]> e : ours.entrySet()) {
            decoder += e.getKey().startsWith("decoder.") ? Tensor.numel(e.getValue()) : 0;
        }
        assertEquals(49_490_179L, decoder);
        assertEquals(((Number) layouts.get("sd_vae_decoder_parameters")).longValue(), decoder);
    }

    @Test
    void taesdHasTheReferenceKeysShapesAndCount() throws Exception {
        Map<?, ?> layouts = VaeFixtures.layouts();
        LatentDecoder taesd = LatentDecoders.random("taesd", 1);
        assertSameLayout("taesd", (List<?>) layouts.get("taesd"), taesd.layout());
        assertEquals(1_222_531L, taesd.parameters());
        assertEquals(8, taesd.scale());
    }

    @Test
    void fullSizeSdVaeDecodesASmallLatent() {
        LatentDecoder d = sdVae();
        assertEquals(49_490_199L, d.parameters(), "decoder + post_quant_conv");
        // 256 x 256 images: about 311 G multiply-accumulates (the figure).
        long macs = d.macs(32, 32);
        assertTrue(macs > 305e9 && macs < 315e9, "MACs " + macs);
        Tensor z = Tensor.zeros(1, 4, 4, 4);
        new io.ditcache.diffusion.GaussianNoise(3).fill(z.data());
        Tensor x = d.decode(z);
        assertArrayEquals(new int[] {1, 3, 32, 32}, x.shape());
        for (float v : x.data()) {
            assertTrue(Float.isFinite(v));
        }
        assertTrue(x.maxAbs() > 0.01 && x.maxAbs() < 100, "output scale " + x.maxAbs());
    }
}
