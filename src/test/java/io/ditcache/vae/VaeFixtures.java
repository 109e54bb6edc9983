package io.ditcache.vae;

import io.ditcache.io.Json;
import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The VAE parity fixtures under {@code src/test/resources/vae/}, made by {@code tools/reference/make_vae_fixtures.py}
 * from the PyTorch reference {@code tools/reference/vae_reference.py}: a tiny AutoencoderKL in diffusers' layout
 * ({@code tiny_sd_vae/}, F16, with its config.json: block_out_channels 8, 16, 32, 32, 4 groups), a tiny TAESD of
 * width 16 ({@code tiny_taesd_decoder.pth}, torch.save of F16 tensors), the decoded goldens and the full-size layouts;
 * and {@code full_size.safetensors} from {@code tools/reference/make_vae_full_size_fixture.py}: the full-size decoders
 * with {@link SpecWeights}, on small latents.
 */
final class VaeFixtures {
    static final String SD_WEIGHTS = "tiny_sd_vae/diffusion_pytorch_model.safetensors";
    static final String TAESD_WEIGHTS = "tiny_taesd_decoder.pth";
    static final SdVaeConfig TINY_SD = new SdVaeConfig("autoencoder-kl", 4, 3, new int[] {8, 16, 32, 32}, 2, 4, 1e-6f,
            0.18215f);

    private VaeFixtures() {
    }

    static Path resource(String name) throws Exception {
        URL url = VaeFixtures.class.getResource("/vae/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource vae/" + name
                    + "; regenerate with /usr/bin/python3 tools/reference/make_vae_fixtures.py"
                    + " (full_size.safetensors: make_vae_full_size_fixture.py)");
        }
        return Path.of(url.toURI());
    }

    static Tensor golden(String key) throws Exception {
        return SafeTensors.read(resource("golden.safetensors")).get(key);
    }

    /** A tensor of {@code full_size.safetensors} (tools/reference/make_vae_full_size_fixture.py). */
    static Tensor fullSize(String key) throws Exception {
        return SafeTensors.read(resource("full_size.safetensors")).get(key);
    }

    static StateDict sdWeights() throws Exception {
        return SafeTensors.read(resource(SD_WEIGHTS));
    }

    static Map<?, ?> layouts() throws Exception {
        return (Map<?, ?>) Json.parse(Files.readString(resource("layouts.json")));
    }

    /**
     * {@code diffusers} (AutoencoderKL keys) in the CompVis naming, by the reference's hand-written map
     * ({@code tiny_sd_compvis_names}: the tiny model has the full-size key names), attention weights as 1x1 convs,
     * under {@code first_stage_model.} inside a whole SD checkpoint (with one UNet key).
     */
    static StateDict asCompVis(StateDict diffusers) throws Exception {
        Map<?, ?> names = (Map<?, ?>) layouts().get("tiny_sd_compvis_names");
        StateDict compvis = new StateDict();
        compvis.put("model.diffusion_model.x.weight", Tensor.zeros(1));
        for (Map.Entry<String, Tensor> e : diffusers.tensors().entrySet()) {
            Tensor t = e.getValue();
            String name = (String) names.get(e.getKey());
            if (name == null) {
                throw new IllegalArgumentException("no CompVis name for '" + e.getKey() + "'");
            }
            if (name.contains(".attn_1.") && t.rank() == 2) {
                t = t.reshape(t.dim(0), t.dim(1), 1, 1);
            }
            compvis.put("first_stage_model." + name, t);
        }
        return compvis;
    }
}
