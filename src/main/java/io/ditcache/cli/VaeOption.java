package io.ditcache.cli;

import io.ditcache.vae.LatentDecoder;
import io.ditcache.vae.LatentDecoders;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The {@code --vae} option of {@code sample} and {@code decode}: the latent decoder, checked before any work. */
final class VaeOption {
    /** Seed of a random-weight preset's weights. */
    static final long RANDOM_SEED = 0;

    @Option(names = "--vae", paramLabel = "VAE", description = "Decoder of latents into images: an AutoencoderKL weights"
            + " file (SD's VAE: diffusion_pytorch_model.safetensors or .bin, a CompVis vae .safetensors/.pt) or a TAESD"
            + " one (taesd_decoder.pth or .safetensors, AutoencoderTiny), told apart by their keys; taesd:FILE insists on"
            + " TAESD; with --random-weights a preset, sd-vae or taesd (for timing: the images are noise).")
    String vae;

    boolean given() {
        return vae != null;
    }

    /** Refuses a missing file or a preset without --random-weights, before anything is loaded. */
    void check(boolean randomWeights) throws IOException {
        if (vae == null) {
            return;
        }
        if (randomWeights && LatentDecoders.PRESETS.contains(vae)) {
            return;
        }
        if (LatentDecoders.PRESETS.contains(vae)) {
            throw new IllegalArgumentException("--vae " + vae + " is a preset without weights: pass a weights file or add"
                    + " --random-weights to time it with random weights");
        }
        Path file = Path.of(vae.startsWith(LatentDecoders.TAESD_PREFIX) ? vae.substring(LatentDecoders.TAESD_PREFIX.length()) : vae);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "--vae: no such weights file (presets: "
                    + String.join(", ", LatentDecoders.PRESETS) + ", with --random-weights)");
        }
    }

    /** The decoder, announced as a phase; a random-weight preset is labelled so on stderr. */
    LatentDecoder load(boolean randomWeights) throws IOException {
        check(randomWeights);
        boolean preset = randomWeights && LatentDecoders.PRESETS.contains(vae);
        Progress.Phase phase = Progress.phase("loading VAE " + vae);
        LatentDecoder d = LatentDecoders.parse(vae, preset, RANDOM_SEED);
        phase.done();
        if (preset) {
            System.err.println("note: --vae " + vae + " has RANDOM weights: timings are real, the images are noise");
        }
        return d;
    }

    /** The decoder's working-memory bound for {@code chunk} images of h x w latents and this JVM's peak heap so far. */
    static String memory(LatentDecoder d, int h, int w, int chunk) {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return String.format(Locale.ROOT, "decoder activations %.0f MiB for %d image%s at a time, JVM peak heap %.0f MiB",
                d.bytesPerImage(h, w) * (double) chunk / (1 << 20), chunk, chunk == 1 ? "" : "s", peak / 1048576.0);
    }
}
