package io.ditcache.eval;

import io.ditcache.Method;
import io.ditcache.Pipeline;
import io.ditcache.Samples;
import io.ditcache.cache.NoCache;
import io.ditcache.diffusion.SampleListener;
import io.ditcache.tensor.Tensor;

/**
 * Runs caching methods on the same noise and labels, in batches (interleaved across methods), and judges them
 * against the uncached baseline:
 * the engine behind {@code ditcache eval} and {@code ditcache demo}, sampling through the library's {@link Pipeline}.
 * Every method sees identical inputs, so speed and quality differences are the method's alone.
 */
public final class Evaluation {
    /**
     * What every method is run on: the pipeline's model and sampler settings (each method sets its own cache policy
     * and fewer steps), n = labels.length samples from {@code noise} [n, C, H, W], in batches of {@code batch}; row r is
     * sample {@code firstIndex + r} of the job seeded {@code seed} (a stochastic sampler's noise follows
     * {@link Pipeline}'s seed rule), so results do not depend on the batch size.
     */
    public record Setup(Pipeline pipeline, long seed, int[] labels, Tensor noise, int batch, long firstIndex) {
        /** A setup whose rows are samples 0 .. n-1. */
        public Setup(Pipeline pipeline, long seed, int[] labels, Tensor noise, int batch) {
            this(pipeline, seed, labels, noise, batch, 0);
        }

        public Setup {
            if (noise.dim(0) != labels.length) {
                throw new IllegalArgumentException("noise for " + noise.dim(0) + " samples but " + labels.length + " labels");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be >= 1, got " + batch);
            }
        }

        public int n() {
            return labels.length;
        }

        /** The steps asked for (the uncached baseline's). */
        public int steps() {
            return pipeline.settings().steps();
        }
    }

    /**
     * A method's samples and totals over all batches. With a decoder on the pipeline the samples are the decoded
     * images and {@code decodeMs} their decoding time (not cached, not in {@code wallMs}); else it is 0.
     */
    public record Run(String method, int steps, Tensor samples, long unitExecutions, long reusedUnitExecutions,
                      long macs, long macsUncached, double wallMs, double decodeMs) {
        public double cacheUsageRatio() {
            return unitExecutions == 0 ? 0 : (double) reusedUnitExecutions / unitExecutions;
        }
    }

    /** The runs of a part of an evaluation job, and their statistics. */
    public record Part(java.util.List<Run> runs, EvalShard shard) {
    }

    /**
     * Runs {@code methods} (the uncached baseline first) over samples [from, to) of a job of {@code n}: labels
     * {@code i mod classes}, {@link Pipeline}'s per-index noise, batches of {@code batch} from {@code from} (to give
     * the unsplit run's bits, start parts on batch boundaries: {@link io.ditcache.Shard}), then reduces them to an
     * {@link EvalShard} judged by {@code judge} (null: no class metrics). What {@code ditcache eval} and a Spark task
     * run. {@code model} names the weights in the shard's job ({@link EvalShard#job}).
     */
    public static Part runPart(Pipeline pipeline, String model, java.util.List<String> names,
                               java.util.List<Method> methods, long seed, long n, long from, long to, int batch,
                               SampleJudge judge, Listener listener) {
        io.ditcache.model.DiTConfig c = pipeline.model().config();
        int m = Math.toIntExact(to - from);
        int[] labels = Pipeline.defaultLabels(c, from, m);
        Setup setup = new Setup(pipeline, seed, labels, Pipeline.noise(c, from, m, seed), batch, from);
        java.util.List<Run> runs = runInterleaved(setup, names, methods, listener);
        if (listener != null) {
            listener.onJudging();
        }
        EvalShard shard = EvalShard.of(EvalShard.job(model, pipeline.settings(), seed, n, names, judge != null), from, to,
                runs, labels, judge);
        return new Part(runs, shard);
    }

    /** Receives progress over all samples of a run: samples done so far (after each step, fractional). */
    public interface Listener {
        void onProgress(double samplesDone);

        /** {@link #runPart} has run every method and now judges them (PSNR, SSIM, classifier); silent by default. */
        default void onJudging() {
        }
    }

    private Evaluation() {
    }

    public static Run run(Setup s, String label, Method method, Listener listener) {
        return runInterleaved(s, java.util.List.of(label), java.util.List.of(method), listener).get(0);
    }

    /**
     * Runs every method on the setup, batch by batch in turn (batch 0 of every method, then batch 1, ...), so that a
     * machine whose speed drifts during the evaluation (other jobs, frequency changes) slows every method alike and
     * the wall-clock ratios stay fair. Results are identical to running each method alone.
     *
     * @param labels   the methods' names in the results
     * @param listener progress over all methods' samples ({@code methods.size() * n} in total)
     */
    public static java.util.List<Run> runInterleaved(Setup s, java.util.List<String> labels,
                                                     java.util.List<Method> methods, Listener listener) {
        if (labels.size() != methods.size()) {
            throw new IllegalArgumentException(labels.size() + " method names for " + methods.size() + " methods");
        }
        int n = s.n();
        int per = s.noise().numel() / n;
        int[] shape = s.noise().shape();
        Totals[] totals = new Totals[methods.size()];
        for (int i = 0; i < totals.length; i++) {
            totals[i] = new Totals(n);
        }
        java.util.List<Pipeline> pipes = methods.stream().map(s.pipeline()::method).toList();
        double[] finished = {0};
        for (int start = 0; start < n; start += s.batch()) {
            int m = Math.min(s.batch(), n - start);
            int[] y = java.util.Arrays.copyOfRange(s.labels(), start, start + m);
            int[] batchShape = shape.clone();
            batchShape[0] = m;
            float[] xs = java.util.Arrays.copyOfRange(s.noise().data(), start * per, (start + m) * per);
            for (int i = 0; i < totals.length; i++) {
                double before = finished[0];
                SampleListener steps = listener == null ? SampleListener.NONE
                        : (stepIndex, stepsDone, total) -> listener.onProgress(before + (double) m * stepsDone / total);
                Samples r = pipes.get(i).sample(y, Tensor.of(xs.clone(), batchShape), s.seed(), s.firstIndex() + start,
                        steps);
                totals[i].add(r, start);
                finished[0] += m;
            }
        }
        java.util.List<Run> runs = new java.util.ArrayList<>();
        for (int i = 0; i < totals.length; i++) {
            Totals t = totals[i];
            runs.add(new Run(labels.get(i), methods.get(i).runSteps(s.steps()), t.samples, t.units, t.reused, t.macs,
                    t.macsUncached, t.wall, t.decode));
        }
        return runs;
    }

    /** One method's samples (decoded where a decoder ran) and counters, summed over batches. */
    private static final class Totals {
        private final int n;
        Tensor samples;
        long units;
        long reused;
        long macs;
        long macsUncached;
        double wall;
        double decode;

        Totals(int n) {
            this.n = n;
        }

        /** Batch {@code r}, whose first row is row {@code start} of the run. */
        void add(Samples r, int start) {
            Tensor x = r.decoded() != null ? r.decoded() : r.images();
            if (samples == null) {
                int[] shape = x.shape();
                shape[0] = n;
                samples = Tensor.zeros(shape);
            }
            int per = x.numel() / x.dim(0);
            System.arraycopy(x.data(), 0, samples.data(), start * per, x.numel());
            units += r.stats().unitExecutions();
            reused += r.stats().reusedUnitExecutions();
            macs += r.stats().macs();
            macsUncached += r.stats().macsUncached();
            wall += r.stats().wallMs();
            if (r.decoded() != null) {
                decode += r.stats().decodeMs();
            }
        }
    }

    /**
     * Judges {@code run} against the uncached {@code baseline}. With a {@code judge} (pixel models with a classifier)
     * class consistency and, with reference statistics, the classifier-feature FID are measured too.
     */
    public static MethodResult judge(Run run, Run baseline, int[] labels, SampleJudge judge, FeatureStatistics reference) {
        MethodStatistics base = MethodStatistics.of(baseline, baseline, labels, null);
        return MethodStatistics.of(run, baseline, labels, judge).result(base, reference);
    }

    /**
     * One untimed uncached batch of {@code batch} samples (indices 0 ..) on {@code pipeline}, so that JIT compilation
     * is charged to no timed method.
     */
    public static void warmUp(Pipeline pipeline, long seed, int batch) {
        io.ditcache.model.DiTConfig c = pipeline.model().config();
        warmUp(new Setup(pipeline, seed, Pipeline.defaultLabels(c, 0, batch), Pipeline.noise(c, 0, batch, seed), batch));
    }

    /** One untimed uncached batch of the setup, so that JIT compilation is charged to no timed method. */
    public static void warmUp(Setup s) {
        int m = Math.min(s.batch(), s.n());
        int per = s.noise().numel() / s.n();
        int[] shape = s.noise().shape();
        shape[0] = m;
        Setup w = new Setup(s.pipeline(), s.seed(), java.util.Arrays.copyOf(s.labels(), m),
                Tensor.of(java.util.Arrays.copyOf(s.noise().data(), m * per), shape), m, s.firstIndex());
        run(w, "warm-up", Method.of(new NoCache()), null);
    }
}
