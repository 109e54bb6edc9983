package io.ditcache.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's error paths: each names the file or key at fault and, for a shape, both shapes. */
class VaeLoaderTest {
    @TempDir
    Path dir;

    private static StateDict without(StateDict w, String key) {
        StateDict out = new StateDict();
        w.tensors().forEach((k, v) -> {
            if (!k.equals(key)) {
                out.put(k, v);
            }
        });
        return out;
    }

    @Test
    void missingKeyIsNamedWithItsShape() throws Exception {
        StateDict w = without(VaeFixtures.sdWeights(), "decoder.up_blocks.1.resnets.2.conv2.bias");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdVaeDecoder.of(VaeFixtures.TINY_SD, w, "test"));
        assertEquals("missing key 'decoder.up_blocks.1.resnets.2.conv2.bias' (expected shape [32])", e.getMessage());
    }

    @Test
    void misshapenKeyNamesBothShapes() throws Exception {
        StateDict w = VaeFixtures.sdWeights();
        w.put("decoder.mid_block.attentions.0.to_k.weight", Tensor.zeros(32, 16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdVaeDecoder.of(VaeFixtures.TINY_SD, w, "test"));
        assertEquals("key 'decoder.mid_block.attentions.0.to_k.weight' has shape [32, 16] but the decoder expects"
                + " [32, 32]", e.getMessage());
    }

    @Test
    void fileErrorsNameTheFile() throws Exception {
        Path file = dir.resolve("vae.safetensors");
        SafeTensors.write(file, new StateDict().put("weight", Tensor.zeros(2)), DType.F32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LatentDecoders.load(file));
        assertTrue(e.getMessage().startsWith(file + ": no VAE decoder keys"), e.getMessage());
        StateDict noAttention = without(VaeFixtures.sdWeights(), "decoder.mid_block.attentions.0.to_q.weight");
        SafeTensors.write(file, noAttention, DType.F32);
        e = assertThrows(IllegalArgumentException.class, () -> LatentDecoders.load(file));
        assertTrue(e.getMessage().contains("not an AutoencoderKL decoder: no key"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LatentDecoders.loadTaesd(file));
        assertTrue(e.getMessage().startsWith(file + ": not a TAESD decoder"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> LatentDecoders.load(dir.resolve("none.safetensors")));
    }

    @Test
    void presetsNeedRandomWeightsAndLatentsMustFit() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LatentDecoders.parse("sd-vae", false, 0));
        assertTrue(e.getMessage().contains("has no weights"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LatentDecoders.parse("sd-xl", true, 0));
        assertTrue(e.getMessage().contains("no VAE preset 'sd-xl'"), e.getMessage());
        LatentDecoder taesd = LatentDecoders.load(VaeFixtures.resource(VaeFixtures.TAESD_WEIGHTS));
        e = assertThrows(IllegalArgumentException.class, () -> taesd.decode(Tensor.zeros(1, 3, 4, 4)));
        assertTrue(e.getMessage().contains("decodes latents [n, 4, h, w], got [1, 3, 4, 4]"), e.getMessage());
    }
}
