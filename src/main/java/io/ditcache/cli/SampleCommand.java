package io.ditcache.cli;

import io.ditcache.cache.CachePolicies;
import io.ditcache.cache.CachePolicy;
import io.ditcache.cache.CachedSampling;
import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.eval.ImageGrid;
import io.ditcache.eval.ImageMetrics;
import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ditcache sample}: draws class-conditional samples, cached or not, and reports what caching did. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Sample images, cached or not, and report what caching did.",
                "Pixel-space models give a PNG grid; latent models a safetensors file of latents (decode them with an "
                        + "SD VAE elsewhere). The same --seed gives the same noise for every --cache policy, so cached and "
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

    @Option(names = "--labels", split = ",", paramLabel = "Y", description = "Class labels, cycled over the samples (default: 0, 1, 2, ...).")
    int[] labels;

    @Option(names = "--cache", defaultValue = "none", paramLabel = "POLICY", description = CachePolicies.SYNTAX)
    String cache;

    @Option(names = "--threshold", paramLabel = "T", description = "Router threshold (default: the router file's, 0.1);"
            + " only with --cache router:...")
    Double threshold;

    @Option(names = "--out", defaultValue = "samples.png", paramLabel = "FILE",
            description = "Output: .png grid (pixel models) or .safetensors (samples as tensors). Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--stats", paramLabel = "FILE", description = "Write cache statistics as JSON.")
    Path stats;

    @Option(names = "--compare-uncached", description = "Also run the uncached sampler on the same noise: the wall-clock"
            + " speedup and the PSNR/SSIM of the cached samples against the uncached ones.")
    boolean compareUncached;

    @Override
    public Integer call() throws Exception {
        if (n < 1) {
            throw new IllegalArgumentException("--n must be >= 1, got " + n);
        }
        String outName = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!outName.endsWith(".png") && !outName.endsWith(".safetensors")) {
            throw new IllegalArgumentException("--out " + out + ": use a .png or .safetensors file name");
        }
        // Every option is checked before the model is loaded (tens of seconds for DiT-XL/2) or anything sampled.
        threads.apply();
        sampling.defaultsFor(model).validate();
        Preflight.outputFile("--out", out);
        if (stats != null) {
            Preflight.outputFile("--stats", stats);
        }
        CachePolicy policy = CachePolicies.parse(cache, threshold == null ? Double.NaN : threshold);
        Preflight.thresholdNeedsRouter(threshold, List.of(policy), "--cache " + cache);
        policy.samplerSteps(sampling.steps); // refuses fewer:K with K > --steps
        Preflight.warnIfOtherSettings(policy, sampling);
        DiT dit = model.load();
        DiTConfig c = dit.config();
        policy.checkFits(dit, sampling.steps);
        Preflight.warnIfUnverified(policy);
        int[] y = labelsFor(c);
        Tensor xT = Tensor.zeros(n, c.inChannels(), c.inputSize(), c.inputSize());
        new GaussianNoise(sampling.seed).fill(xT.data());
        if (model.isRandom()) {
            System.err.println("note: " + c.name() + " has RANDOM weights: timings are real, the samples are not images");
        }
        CachedSampling.Result r = sampling.run(dit, policy, y, xT, compareUncached, "sample " + cache);
        if (r.uncached() != null) {
            // On the [-1, 1] scale of pixels (for latent models, of the latents); SSIM needs 11 x 11 at least.
            boolean ssimFits = c.inputSize() >= ImageMetrics.SSIM_WINDOW;
            r.stats().setQualityVsUncached(ImageMetrics.psnr(r.samples(), r.uncached(), 2.0),
                    ssimFits ? ImageMetrics.ssim(r.samples(), r.uncached(), 2.0) : Double.NaN);
        }
        writeSamples(r.samples(), c, y);
        System.out.println(r.stats().summaryLine());
        if (stats != null) {
            r.stats().writeJson(stats);
            System.out.println("statistics -> " + stats);
        }
        return 0;
    }

    private int[] labelsFor(DiTConfig c) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels == null || labels.length == 0 ? i % c.numClasses() : labels[i % labels.length];
            if (y[i] < 0 || y[i] >= c.numClasses()) {
                throw new IllegalArgumentException("--labels: " + y[i] + " is outside [0, " + (c.numClasses() - 1) + "]");
            }
        }
        return y;
    }

    private void writeSamples(Tensor samples, DiTConfig c, int[] y) throws java.io.IOException {
        boolean png = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png");
        boolean pixels = c.inChannels() == 1 || c.inChannels() == 3;
        if (png && pixels) {
            ImageGrid.write(samples, Math.min(n, 10), 2, out);
            System.out.println("wrote " + count(n) + " -> " + out);
            return;
        }
        Path file = out;
        if (png) {
            String name = out.getFileName().toString();
            file = out.resolveSibling(name.substring(0, name.length() - 4) + ".safetensors");
            System.out.println(c.name() + " works in a " + c.inChannels() + "-channel latent space: writing latents to " + file
                    + " (decode with an SD VAE: vae.decode(z / 0.18215)); ditcache has no VAE");
        }
        StateDict sd = new StateDict().put("samples", samples)
                .put("labels", Tensor.of(toFloat(y), y.length));
        sd.metadata().put("model", c.name());
        sd.metadata().put("sampler", sampling.sampler);
        sd.metadata().put("steps", Integer.toString(sampling.steps));
        sd.metadata().put("cfg", Float.toString(sampling.cfg));
        sd.metadata().put("seed", Long.toString(sampling.seed));
        sd.metadata().put("cache", cache);
        SafeTensors.write(file, sd, DType.F32);
        System.out.println("wrote " + count(n) + " " + Arrays.toString(samples.shape()) + " -> " + file);
    }

    private static String count(int n) {
        return n + (n == 1 ? " sample" : " samples");
    }

    private static float[] toFloat(int[] y) {
        float[] f = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            f[i] = y[i];
        }
        return f;
    }
}
