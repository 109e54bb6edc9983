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
        assertTrue(java.util.Arrays.equals(pixels(grid), pixels(again)), "same pixels");
    }

    private static int[] pixels(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    /** eval --vae judges the decoded images: its PSNR is sample --compare-uncached's on the same decoded samples. */
    @Test
    void evalWithAVaeJudgesTheDecodedImages() throws Exception {
        String model = latentModel().toString();
        Path out = dir.resolve("ev");
        Result r = run("eval", "--model", model, "--steps", "4", "--n", "3", "--batch", "3", "--methods", "none,fora:2",
                "--vae", vae(), "--seed", "5", "--out", out.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err() + r.out());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("Samples decoded by autoencoder-kl") && report.contains("ms per image"), report);
        BufferedImage grid = ImageIO.read(out.resolve("samples-fora_2.png").toFile());
        assertEquals(3 * 64 * 2 + 4 * 2, grid.getWidth(), "the decoded 64 x 64 images, in color");
        java.util.List<String> csv = Files.readAllLines(out.resolve("report.csv"));
        int col = java.util.Arrays.asList(csv.get(0).split(",")).indexOf("psnr");
        double evalPsnr = Double.parseDouble(csv.get(2).split(",")[col]);
        Path stats = dir.resolve("stats.json");
        r = run("sample", "--model", model, "--steps", "4", "--n", "3", "--cache", "fora:2", "--vae", vae(), "--seed", "5",
                "--compare-uncached", "--stats", stats.toString(), "--out", dir.resolve("g.png").toString(),
                "--threads", "1");
        assertEquals(0, r.code(), r.err() + r.out());
        Object psnr = ((java.util.Map<?, ?>) io.ditcache.io.Json.parse(Files.readString(stats))).get("psnr_vs_uncached");
        assertEquals(((Number) psnr).doubleValue(), evalPsnr, 1e-3, "the stats JSON keeps 6 digits");
        assertTrue(Double.isFinite(evalPsnr) && evalPsnr > 0, "fora:2 differs from uncached: " + evalPsnr);
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
