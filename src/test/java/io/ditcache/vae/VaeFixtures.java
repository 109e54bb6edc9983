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
 * width 16 ({@code tiny_taesd_decoder.pth}, torch.save of F16 tensors), the decoded goldens and the full-size layouts.
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
                    + "; regenerate with /usr/bin/python3 tools/reference/make_vae_fixtures.py");
        }
        return Path.of(url.toURI());
    }

    static Tensor golden(String key) throws Exception {
        return SafeTensors.read(resource("golden.safetensors")).get(key);
    }

    static StateDict sdWeights() throws Exception {
        return SafeTensors.read(resource(SD_WEIGHTS));
    }

    static Map<?, ?> layouts() throws Exception {
        return (Map<?, ?>) Json.parse(Files.readString(resource("layouts.json")));
    }
}
