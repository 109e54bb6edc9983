package io.ditcache.cli;

import static io.ditcache.cli.CommandLineTest.run;
import static io.ditcache.cli.CommandLineTest.tinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cli.CommandLineTest.Result;
import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.ConfigInference;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.StateDict;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sample --vae} and {@code decode} on a tiny latent DiT and the tiny SD-VAE fixture, and their refusals. */
class VaeCommandTest {
    @TempDir
    Path dir;

    private Path latentModel() throws Exception {
        DiT m = DiT.random(new DiTConfig("tiny-latent", 2, 32, 4, 2, 4, 8, 3, true, 4), 1);
        StateDict sd = m.stateDict();
        sd.metadata().put(ConfigInference.META_HEADS, "4");
        Path p = dir.resolve("latent.safetensors");
        SafeTensors.write(p, sd, DType.F32);
        return p;
    }

    private static String vae() throws Exception {
        return Path.of(VaeCommandTest.class.getResource("/vae/tiny_sd_vae/diffusion_pytorch_model.safetensors").toURI())
                .toString();
    }

    @Test
    void sampleDecodesAndDecodeRedoesItFromTheLatents() throws Exception {
        Path grid = dir.resolve("grid.png");
        Path latents = dir.resolve("z.safetensors");
        Result r = run("sample", "--model", latentModel().toString(), "--steps", "2", "--n", "2", "--vae", vae(),
                "--out", grid.toString(), "--latents", latents.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("decoded with autoencoder-kl"), r.out());
        BufferedImage img = ImageIO.read(grid.toFile());
        assertEquals(2 * 64 + 3 * 2, img.getWidth());
        Path again = dir.resolve("again.png");
        r = run("decode", "--vae", vae(), "--latents", latents.toString(), "--out", again.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("decoded 2 latents [2, 4, 8, 8]") && r.out().contains("JVM peak heap"), r.out());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(grid), Files.readAllBytes(again)), "same pixels");
    }

    @Test
    void badVaeInputExitsWithStatus2BeforeSampling() throws Exception {
        Path out = dir.resolve("x.png");
        Result r = run("sample", "--model", tinyModel(dir).toString(), "--vae", vae(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("samples pixels, not latents: drop --vae"), r.err());
        r = run("sample", "--model", latentModel().toString(), "--vae", "sd-vae", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--vae sd-vae is a preset without weights"), r.err());
        r = run("sample", "--model", latentModel().toString(), "--vae", vae(), "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--vae decodes into a PNG grid"), r.err());
        r = run("decode", "--vae", dir.resolve("missing.safetensors").toString(), "--latents", vae(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.safetensors"), r.err());
        r = run("decode", "--vae", vae(), "--latents", vae(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no tensor 'samples'"), r.err());
        assertFalse(Files.exists(out));
    }
}
