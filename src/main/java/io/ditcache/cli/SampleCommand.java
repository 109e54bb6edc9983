package io.ditcache.cli;

import io.ditcache.Cache;
import io.ditcache.Method;
import io.ditcache.Pipeline;
import io.ditcache.SamplerSettings;
import io.ditcache.Samples;
import io.ditcache.Shard;
import io.ditcache.diffusion.SampleListener;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.vae.LatentDecoder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ditcache sample}: a {@link Pipeline} from the options, its samples written and what caching did reported. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Sample images, cached or not, and report what caching did.",
                "Pixel-space models give a PNG grid; latent models a safetensors file of latents, or with --vae a PNG "
                        + "grid of the decoded images (decoding is timed apart and never cached). The same --seed gives the same noise for every --cache policy, so cached and "
                        + "uncached samples are directly comparable."})
final class SampleCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Mixin
    ThreadOptions threads = new ThreadOptions();

    @Option(names = "--n", defaultValue = "10", description = "Number of samples (one batch). Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--shard", paramLabel = "K/N", description = "Draw only part K of N (0 <= K < N) of the --n samples:"
            + " indices [K n / N, (K+1) n / N), with the bits an unsplit run gives them (sample i's noise comes from"
            + " (--seed, i) alone; fbcache decides per batch, so its samples follow the batch). For batch schedulers"
            + " (Slurm arrays, Kubernetes jobs); name --out per part.")
    String shard;

    @Option(names = "--labels", split = ",", paramLabel = "Y", description = "Class labels, cycled over the samples (default: 0, 1, 2, ...).")
    int[] labels;

    @Option(names = "--cache", defaultValue = "none", paramLabel = "POLICY", description = Cache.SYNTAX)
    String cache;

    @Option(names = "--threshold", paramLabel = "T", description = "Router threshold (default: the router file's, 0.1);"
            + " only with --cache router:...")
    Double threshold;

    @Option(names = "--out", defaultValue = "samples.png", paramLabel = "FILE",
            description = "Output: .png grid (pixel models) or .safetensors (samples as tensors). Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--stats", paramLabel = "FILE", description = "Write cache statistics as JSON.")
    Path stats;

    @Mixin
    VaeOption vae = new VaeOption();

    @Option(names = "--latents", paramLabel = "FILE", description = "With --vae: also write the latents (.safetensors).")
    Path latents;

    @Option(names = "--compare-uncached", description = "Also run the uncached sampler on the same noise: the wall-clock"
            + " speedup and the PSNR/SSIM of the cached samples against the uncached ones.")
    boolean compareUncached;

    @Override
    public Integer call() throws Exception {
        if (n < 1) {
            throw new IllegalArgumentException("--n must be >= 1, got " + n);
        }
        Shard part = shard == null ? Shard.ALL : Shard.parse(shard);
        part.checkFits(n, 1);
        String outName = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!outName.endsWith(".png") && !outName.endsWith(".safetensors")) {
            throw new IllegalArgumentException("--out " + out + ": use a .png or .safetensors file name");
        }
        // Every option is checked before the model is loaded (tens of seconds for DiT-XL/2) or anything sampled; a
        // label's upper bound where the model's class count is known without reading weights (presets).
        threads.apply();
        checkLabels(model.isRandom() ? model.config().numClasses() : Integer.MAX_VALUE);
        SamplerSettings settings = sampling.settingsFor(model);
        Preflight.outputFile("--out", out);
        if (stats != null) {
            Preflight.outputFile("--stats", stats);
        }
        Method method = CacheOption.parse("--cache", cache, threshold, settings);
        Preflight.thresholdNeedsRouter(threshold, List.of(method.cache()), "--cache " + cache);
        LatentDecoder decoder = loadDecoder(outName);
        DiT dit = model.load();
        Preflight.checkFits(method.cache(), dit, method.runSteps(settings.steps()));
        Pipeline pipe = Pipeline.of(dit).settings(settings).method(method).decoder(decoder);
        DiTConfig c = pipe.model().config();
        long from = part.from(n);
        int[] y = new int[Math.toIntExact(part.to(n) - from)];
        for (int i = 0; i < y.length; i++) {
            long index = from + i;
            y[i] = labels == null || labels.length == 0 ? Pipeline.defaultLabel(c, index)
                    : labels[(int) (index % labels.length)];
        }
        pipe.checkLabels(y);
        if (model.isRandom()) {
            System.err.println("note: " + c.name() + " has RANDOM weights: timings are real, the samples are not images");
        }
        // With the comparison: an untimed uncached warm-up, the cached run, the timed uncached run.
        long total = pipe.settings().runSteps() + (compareUncached ? 2L * settings.steps() : 0);
        long[] done = {0};
        Samples s;
        try (Progress bar = new Progress("sample " + cache, total, "step")) {
            SampleListener listener = (stepIndex, stepsDone, totalSteps) -> bar.stepTo(++done[0], null);
            s = compareUncached ? pipe.sampleWithUncached(y, sampling.seed, from, listener)
                    : pipe.sample(y, sampling.seed, from, listener);
        }
        write(s, c);
        System.out.println(s.stats().summary());
        if (stats != null) {
            s.stats().writeJson(stats, s.provenance().toMap());
            System.out.println("statistics -> " + stats);
        }
        return 0;
    }

    /** Refuses a negative label, or one of at least {@code classes}. */
    private void checkLabels(int classes) {
        for (int y : labels == null ? new int[0] : labels) {
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("--labels: " + y + " is " + (y < 0 ? "negative"
                        : "outside [0, " + (classes - 1) + "] (--model " + model.model + " has " + classes + " classes)"));
            }
        }
    }

    /** With --vae: the decoder, after checking that it fits the model and --out (before the model is loaded). */
    private LatentDecoder loadDecoder(String outName) throws java.io.IOException {
        if (!vae.given()) {
            if (latents != null) {
                throw new IllegalArgumentException("--latents is for --vae runs (without --vae, --out FILE.safetensors"
                        + " writes the latents)");
            }
            return null;
        }
        if (!outName.endsWith(".png")) {
            throw new IllegalArgumentException("--vae decodes into a PNG grid: use --out FILE.png (and --latents "
                    + "FILE.safetensors to keep the latents)");
        }
        if (latents != null) {
            if (!latents.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".safetensors")) {
                throw new IllegalArgumentException("--latents " + latents + ": use a .safetensors file name");
            }
            Preflight.outputFile("--latents", latents);
        }
        DiTConfig c = model.config();
        if (c.inChannels() == 1 || c.inChannels() == 3) {
            throw new IllegalArgumentException("--vae: " + c.name() + " samples pixels, not latents: drop --vae");
        }
        vae.check(model.randomWeights);
        LatentDecoder d = vae.load(model.randomWeights);
        if (d.latentChannels() != c.inChannels()) {
            throw new IllegalArgumentException("--vae " + vae.vae + " decodes " + d.latentChannels() + "-channel latents, but "
                    + c.name() + " samples " + c.inChannels() + " channels");
        }
        return d;
    }

    private void write(Samples s, DiTConfig c) throws java.io.IOException {
        boolean png = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png");
        if (png && s.arePixels()) {
            s.writePng(out);
            System.out.println("wrote " + count(n) + (s.decoded() != null ? " " + Arrays.toString(s.decoded().shape()) : "")
                    + " -> " + out);
            if (latents != null) {
                s.writeLatents(latents);
                System.out.println("wrote the latents " + Arrays.toString(s.images().shape()) + " -> " + latents);
            }
            return;
        }
        Path file = out;
        if (png) {
            String name = out.getFileName().toString();
            file = out.resolveSibling(name.substring(0, name.length() - 4) + ".safetensors");
            System.out.println(c.name() + " works in a " + c.inChannels() + "-channel latent space: writing latents to " + file
                    + " (decode them with --vae, or later with 'ditcache decode --vae FILE --latents " + file + "')");
        }
        s.writeLatents(file);
        System.out.println("wrote " + count(n) + " " + Arrays.toString(s.images().shape()) + " -> " + file);
    }

    private static String count(int n) {
        return n + (n == 1 ? " sample" : " samples");
    }
}
