package io.ditcache.cli;

import io.ditcache.eval.ImageGrid;
import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import io.ditcache.vae.Decoding;
import io.ditcache.vae.LatentDecoder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ditcache decode}: latents written by {@code sample} (or any [n, C, h, w] safetensors) to a PNG grid. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decode latents (a safetensors file, as 'sample' writes for latent models) into images with a VAE,"
                + " and write them as a PNG grid; reports the decode time and memory."})
final class DecodeCommand implements Callable<Integer> {
    static final int GRID_COLUMNS = 8;

    @Mixin
    VaeOption vae = new VaeOption();

    @Mixin
    ThreadOptions threads = new ThreadOptions();

    @Option(names = "--latents", required = true, paramLabel = "FILE",
            description = "Safetensors file with the latents [n, C, h, w] under 'samples' (or its only tensor).")
    Path latents;

    @Option(names = "--out", defaultValue = "decoded.png", paramLabel = "FILE", description = "PNG grid. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--random-weights", description = "With a --vae preset (sd-vae, taesd): random weights, for timing.")
    boolean randomWeights;

    @Option(names = "--chunk", paramLabel = "N", description = "Images decoded at a time (default: as many as fit a"
            + " quarter of the heap, at most 1 GiB of activations).")
    Integer chunk;

    @Option(names = "--repeats", defaultValue = "1", paramLabel = "N", description = "Timed decodes (for benchmarks; with"
            + " N > 1 an untimed warm-up first, and the min and median are printed). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Override
    public Integer call() throws Exception {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1, got " + repeats);
        }
        if (!vae.given()) {
            throw new IllegalArgumentException("--vae is required (a weights file, taesd:FILE, or a preset with --random-weights)");
        }
        if (chunk != null && chunk < 1) {
            throw new IllegalArgumentException("--chunk must be >= 1, got " + chunk);
        }
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("--out " + out + ": decode writes a .png grid");
        }
        threads.apply();
        Preflight.outputFile("--out", out);
        vae.check(randomWeights);
        Tensor z = readLatents(latents);
        LatentDecoder d = vae.load(randomWeights);
        if (z.dim(1) != d.latentChannels()) {
            throw new IllegalArgumentException("--latents " + latents + ": " + z.dim(1) + "-channel latents, but " + d.name()
                    + " decodes " + d.latentChannels() + " channels");
        }
        int n = z.dim(0);
        int k = chunk != null ? chunk : Decoding.defaultChunk(d, z.dim(2), z.dim(3));
        Progress.Phase phase = Progress.phase("decoding " + n + " latent" + (n == 1 ? "" : "s") + " " + z.shapeString());
        Tensor images = repeats > 1 ? d.decode(z, k) : null;
        double[] times = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            images = d.decode(z, k);
            times[r] = (System.nanoTime() - t0) / 1e6;
        }
        phase.done();
        double ms = times[0];
        if (repeats > 1) {
            java.util.Arrays.sort(times);
            ms = times[repeats / 2];
            System.out.printf(Locale.ROOT, "java decode batch %d: min %.1f ms, median %.1f ms over %d repeats%n", n,
                    times[0], ms, repeats);
        }
        ImageGrid.write(images, Math.min(n, GRID_COLUMNS), 1, out);
        System.out.printf(Locale.ROOT, "decoded %d latents %s with %s in %.0f ms%s (%.1f GMACs, %.0f ms per image); %s%n",
                n, z.shapeString(), d.name(), ms, repeats > 1 ? " (median)" : "", d.macs(z.dim(2), z.dim(3)) * (double) n / 1e9, ms / n,
                VaeOption.memory(d, z.dim(2), z.dim(3), Math.min(k, n)));
        System.out.println("wrote " + images.shapeString() + " -> " + out);
        return 0;
    }

    /** The latents of {@code file}: its 'samples' tensor, or its only tensor; [n, C, h, w]. */
    static Tensor readLatents(Path file) throws java.io.IOException {
        StateDict sd = SafeTensors.read(file);
        Tensor z;
        if (sd.contains("samples")) {
            z = sd.get("samples");
        } else if (sd.size() == 1) {
            z = sd.tensors().values().iterator().next();
        } else {
            throw new IllegalArgumentException("--latents " + file + ": no tensor 'samples' (keys: " + sd.keys() + ")");
        }
        if (z.rank() != 4 || z.dim(0) == 0) {
            throw new IllegalArgumentException("--latents " + file + ": latents must be [n >= 1, C, h, w], got " + z.shapeString());
        }
        return z;
    }
}
