package io.ditcache;

import io.ditcache.cache.CachePolicy;
import io.ditcache.cache.CachedSampling;
import io.ditcache.cache.Router;
import io.ditcache.cache.RouterPolicy;
import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.diffusion.SampleSeeds;
import io.ditcache.diffusion.SampleListener;
import io.ditcache.eval.ImageMetrics;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Tensor;
import io.ditcache.vae.LatentDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A DiT with its sampler settings and cache policy, built in one line and sampled in one:
 * <pre>
 * var pipe = Pipeline.load("default").sampler("ddim+clip", 20).guidance(1.5).cache(Cache.router("harmonica"));
 * Samples s = pipe.sample(new int[] {0, 1, 2, 3}, 42);
 * </pre>
 * Immutable: each setter returns a new pipeline, checked at once (a router made for another step count or model is
 * refused there, not at sampling), and each sampling call keeps its own cache state: requests with different step
 * counts, policies and seeds may run concurrently on one pipeline (and pipelines derived from it) and give the bits
 * they give one after another. The defaults follow the model
 * ({@link SamplerSettings#defaultsFor}), with no caching.
 * <p>
 * Seeds: every sample has an index i in its job (0, 1, ... for a request; a request may start at any index, as a
 * shard of a larger job does). Sample i's initial noise is C x H x W draws, in row-major order, from
 * {@link GaussianNoise}{@code (}{@link SampleSeeds#initialNoise}{@code (seed, i))}, and a stochastic sampler
 * ({@code ddpm}) draws its step noise from {@code GaussianNoise(}{@link SampleSeeds#samplerNoise}{@code (seed, i))}:
 * a sample's bits depend on (model, settings, policy, label, seed, i) alone, not on the batch or shard it ran in
 * (with the Java GEMM, the default; a native backend may round differently at other batch sizes; first-block
 * caching decides per batch, so its samples follow the batch: {@link Shard} cuts jobs into whole batches).
 * The same model, settings, cache policy, labels and seed give the same bits, whatever the policy: cached and
 * uncached samples compare directly.
 */
public final class Pipeline {
    private final DiT model;
    private final SamplerSettings settings;
    private final CachePolicy cache;
    /** {@link #cache} for the pipeline's step count ({@link CachePolicy#forSteps}), checked against the model. */
    private final CachePolicy policy;
    /** The threads sampling runs on; 0: the process-wide count ({@link Parallel#threads()}). */
    private final int threads;
    /** What turns latents into images after sampling; null: the samples are what the model samples. */
    private final LatentDecoder decoder;

    private Pipeline(DiT model, SamplerSettings settings, CachePolicy cache, int threads, LatentDecoder decoder) {
        this.model = model;
        this.settings = settings;
        this.cache = cache;
        this.threads = threads;
        this.decoder = decoder;
        this.policy = cache.forSteps(settings.runSteps());
        policy.checkFits(model, settings.runSteps());
    }

    /** The model {@code model} names ({@link Models#load}) with its default settings and no caching. */
    public static Pipeline load(String model) throws IOException {
        return new Pipeline(Models.load(model), SamplerSettings.defaultsFor(model), Cache.none(), 0, null);
    }

    /** {@code model} (its weights packed first if they are not) with {@link SamplerSettings#DEFAULT} and no caching. */
    public static Pipeline of(DiT model) {
        if (!model.isPacked()) {
            model.packWeights();
        }
        return new Pipeline(model, SamplerSettings.DEFAULT, Cache.none(), 0, null);
    }

    /** Samples with sampler {@code name} ({@code ddim}, {@code ddpm}, {@code dpm++2m}, optionally {@code +clip}). */
    public Pipeline sampler(String name, int steps) {
        return settings(settings.withSampler(name, steps));
    }

    public Pipeline steps(int steps) {
        return settings(settings.withSteps(steps));
    }

    /** The classifier-free guidance scale (<= 1: none). */
    public Pipeline guidance(double scale) {
        return settings(settings.withCfg(scale));
    }

    /**
     * Runs {@code k} of the steps (k in [1, steps]; 0: all), nothing cached unless a policy says so: the
     * {@code fewer:K} baseline. Statistics and {@link #sampleWithUncached} measure it against the uncached sampler
     * at all the steps.
     */
    public Pipeline fewerSteps(int k) {
        return settings(settings.withFewerSteps(k));
    }

    public Pipeline settings(SamplerSettings settings) {
        return new Pipeline(model, settings, cache, threads, decoder);
    }

    /** Samples as {@code method} says: its cache policy and its {@code fewer:K} ({@link Cache#parseMethod}). */
    public Pipeline method(Method method) {
        return new Pipeline(model, settings.withFewerSteps(method.fewerSteps()), method.cache(), threads, decoder);
    }

    /** Samples with the cache policy {@code policy} (see {@link Cache}). */
    public Pipeline cache(CachePolicy policy) {
        return new Pipeline(model, settings, policy, threads, decoder);
    }

    /**
     * Samples on {@code threads} threads (the calling one and helpers), whatever the process-wide count and whatever
     * other pipelines use at the same time; the samples are the same bits at any count. Without it, sampling uses the
     * process-wide count ({@link Parallel#threads()}: {@code -Dditcache.threads}, {@code DITCACHE_THREADS} or all
     * processors), as loading and packing the model always do.
     */
    public Pipeline threads(int threads) {
        if (threads < 1) {
            throw new InvalidSettingException("threads", "threads must be >= 1, got " + threads);
        }
        return new Pipeline(model, settings, cache, threads, decoder);
    }

    /**
     * Decodes every sample with {@code decoder} (a VAE for a latent model: {@code LatentDecoders.load(path)}), after
     * sampling and timed apart from it ({@link Samples#decoded()}); null: none. PSNR and SSIM against the uncached
     * samples are then measured on the decoded images.
     */
    public Pipeline decoder(LatentDecoder decoder) {
        if (decoder != null && decoder.latentChannels() != model.config().inChannels()) {
            throw new InvalidSettingException("vae", "vae: " + decoder.name() + " decodes " + decoder.latentChannels()
                    + "-channel latents, but " + model.config().name() + " samples " + model.config().inChannels()
                    + " channels");
        }
        return new Pipeline(model, settings, cache, threads, decoder);
    }

    /** The decoder of {@link #decoder(LatentDecoder)}, or null. */
    public LatentDecoder decoder() {
        return decoder;
    }

    /** The threads sampling runs on ({@link #threads(int)}, else the process-wide count at this moment). */
    public int threads() {
        return threads == 0 ? Parallel.threads() : threads;
    }

    public DiT model() {
        return model;
    }

    public SamplerSettings settings() {
        return settings;
    }

    /** The cache policy as it runs at this step count (a router set: the router for the steps run). */
    public CachePolicy cache() {
        return policy;
    }

    /**
     * What a user should be told about this pipeline before trusting its samples (empty when nothing), worded with the
     * library's setting names ({@code sampler}, {@code cfg}): see {@link #warnings(CachePolicy, SamplerSettings,
     * UnaryOperator)}. The pipeline samples all the same; printing the warnings is the caller's choice.
     */
    public List<String> warnings() {
        return warnings(policy, settings, UnaryOperator.identity());
    }

    /**
     * The warnings of {@link #warnings()} for {@code policy} (as it runs at the settings' step count) sampled with
     * {@code settings}, without a model, so that a front end can say them before loading one; {@code name} names a
     * setting as the front end does ({@code s -> "--" + s} on a command line). A router warns when it is used with
     * another sampler or guidance scale than it was trained for ({@link Router#settingsWarning}) and when its file
     * records no model fingerprint ({@link Router#unverifiedModelWarning}); other policies never warn.
     */
    public static List<String> warnings(CachePolicy policy, SamplerSettings settings, UnaryOperator<String> name) {
        List<String> warnings = new ArrayList<>();
        if (policy instanceof RouterPolicy r) {
            String other = r.router().settingsWarning(r.source(), settings.sampler(), settings.cfg(), name);
            if (other != null) {
                warnings.add(other);
            }
            String unverified = r.router().unverifiedModelWarning(r.source());
            if (unverified != null) {
                warnings.add(unverified);
            }
        }
        return List.copyOf(warnings);
    }

    /** The initial noise of samples 0 .. n-1 of a model of config {@code c} from {@code seed} (the seed rule above). */
    public static Tensor noise(DiTConfig c, int n, long seed) {
        return noise(c, 0, n, seed);
    }

    /** The initial noise [n, C, H, W] of samples {@code firstIndex .. firstIndex + n - 1} (the seed rule above). */
    public static Tensor noise(DiTConfig c, long firstIndex, int n, long seed) {
        if (firstIndex < 0) {
            throw new InvalidSettingException("first index", "first index: " + firstIndex + " is negative");
        }
        Tensor x = Tensor.zeros(n, c.inChannels(), c.inputSize(), c.inputSize());
        int per = c.inChannels() * c.inputSize() * c.inputSize();
        for (int r = 0; r < n; r++) {
            new GaussianNoise(SampleSeeds.initialNoise(seed, firstIndex + r)).fill(x.data(), r * per, (r + 1) * per);
        }
        return x;
    }

    /** The label of sample {@code index} when none is asked for: the classes in turn, {@code index mod classes}. */
    public static int defaultLabel(DiTConfig c, long index) {
        return (int) Math.floorMod(index, (long) c.numClasses());
    }

    /** {@link #defaultLabel} of samples {@code from .. from + n - 1}. */
    public static int[] defaultLabels(DiTConfig c, long from, int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = defaultLabel(c, from + i);
        }
        return y;
    }

    /** One sample per label, from the noise of {@code seed}. */
    public Samples sample(int[] labels, long seed) {
        return sample(labels, seed, SampleListener.NONE);
    }

    /** As {@link #sample(int[], long)}, with {@code listener} hearing every step. */
    public Samples sample(int[] labels, long seed, SampleListener listener) {
        return sample(labels, seed, 0, listener);
    }

    /**
     * Samples {@code firstIndex .. firstIndex + labels.length - 1} of a job seeded {@code seed}, one per label: the
     * same bits as those rows of a request from index 0 (the seed rule above), so shards of a job can run anywhere.
     */
    public Samples sample(int[] labels, long seed, long firstIndex, SampleListener listener) {
        return run(labels, null, seed, firstIndex, false, listener);
    }

    /**
     * One sample per label from the initial noise {@code noise} [n, C, H, W] (row i for label i, left unchanged)
     * instead of the seed's; {@code seed} seeds only a stochastic sampler's step noise. For evaluations that cut one
     * noise tensor into batches.
     */
    public Samples sample(int[] labels, Tensor noise, long seed, SampleListener listener) {
        return sample(labels, noise, seed, 0, listener);
    }

    /** As {@link #sample(int[], Tensor, long, SampleListener)} for rows that are samples {@code firstIndex, ...}. */
    public Samples sample(int[] labels, Tensor noise, long seed, long firstIndex, SampleListener listener) {
        DiTConfig c = model.config();
        int[] expected = {labels.length, c.inChannels(), c.inputSize(), c.inputSize()};
        if (!Arrays.equals(expected, noise.shape())) {
            throw new InvalidSettingException("noise", "noise: shape " + Arrays.toString(noise.shape()) + ", but "
                    + labels.length + " labels for " + c.name() + " need " + Arrays.toString(expected));
        }
        return run(labels, noise, seed, firstIndex, false, listener);
    }

    /**
     * As {@link #sample(int[], long, SampleListener)}, and also the uncached samples from the same noise
     * ({@link Samples#uncached}): their wall time (after an untimed uncached warm-up) and the PSNR and SSIM of the
     * cached samples against them go into the statistics. {@code listener} hears the warm-up, the cached run and the
     * uncached run, in that order.
     */
    public Samples sampleWithUncached(int[] labels, long seed, SampleListener listener) {
        return sampleWithUncached(labels, seed, 0, listener);
    }

    /** As {@link #sampleWithUncached(int[], long, SampleListener)} for samples {@code firstIndex, ...} of a job. */
    public Samples sampleWithUncached(int[] labels, long seed, long firstIndex, SampleListener listener) {
        return run(labels, null, seed, firstIndex, true, listener);
    }

    /** Refuses an empty batch or a label outside the model's classes. */
    public void checkLabels(int[] labels) {
        int classes = model.config().numClasses();
        if (labels.length == 0) {
            throw new InvalidSettingException("labels", "labels: none given (one sample per label)");
        }
        for (int y : labels) {
            if (y < 0 || y >= classes) {
                throw new InvalidSettingException("labels", "labels: " + y + " is outside [0, " + (classes - 1) + "]");
            }
        }
    }

    /** Samples from {@code xT}, or from the seed's noise where it is null. */
    private Samples run(int[] labels, Tensor xT, long seed, long firstIndex, boolean withUncached,
                        SampleListener listener) {
        checkLabels(labels);
        DiTConfig c = model.config();
        Tensor start = xT != null ? xT : noise(c, firstIndex, labels.length, seed);
        Supplier<CachedSampling.Result> sampling = () -> CachedSampling.sample(model, policy, settings.sampler(),
                settings.steps(), settings.runSteps(), seed, firstIndex, labels, settings.cfg(), start, withUncached, listener);
        CachedSampling.Result r = onThreads(sampling);
        Tensor decoded = null;
        Tensor decodedUncached = null;
        if (decoder != null) {
            long t0 = System.nanoTime();
            decoded = onThreads(() -> decoder.decode(r.samples()));
            r.stats().setDecode(decoder.name(), (System.nanoTime() - t0) / 1e6,
                    decoder.macs(c.inputSize(), c.inputSize()) * labels.length);
            decodedUncached = r.uncached() == null ? null : onThreads(() -> decoder.decode(r.uncached()));
        }
        if (r.uncached() != null) {
            // On the [-1, 1] scale of pixels (for undecoded latent models, of the latents); SSIM needs 11 x 11 at least.
            Tensor a = decoded != null ? decoded : r.samples();
            Tensor b = decoded != null ? decodedUncached : r.uncached();
            boolean ssimFits = a.dim(2) >= ImageMetrics.SSIM_WINDOW;
            r.stats().setQualityVsUncached(ImageMetrics.psnr(a, b, 2.0), ssimFits ? ImageMetrics.ssim(a, b, 2.0) : Double.NaN);
        }
        return new Samples(r.samples(), labels.clone(), seed, firstIndex, c, settings, r.stats(), r.uncached(), decoded,
                Provenance.current(threads()));
    }

    private <T> T onThreads(Supplier<T> body) {
        return threads == 0 ? body.get() : Parallel.withThreads(threads, body);
    }
}
