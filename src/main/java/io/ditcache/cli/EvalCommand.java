package io.ditcache.cli;

import io.ditcache.Method;
import io.ditcache.Pipeline;
import io.ditcache.SamplerSettings;
import io.ditcache.Shard;
import io.ditcache.eval.EvalReport;
import io.ditcache.eval.EvalShard;
import io.ditcache.eval.Evaluation;
import io.ditcache.eval.FeatureStatistics;
import io.ditcache.eval.ImageGrid;
import io.ditcache.eval.Judges;
import io.ditcache.eval.MethodLabel;
import io.ditcache.eval.MethodResult;
import io.ditcache.eval.SampleJudge;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Tensor;
import io.ditcache.vae.LatentDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ditcache eval}: caching methods side by side on the same noise: speed, cache usage and quality. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Compare caching methods side by side: speed, cache usage, quality.",
                "Runs several --cache methods on the same noise and labels, in one process, and compares them with "
                        + "the uncached sampler: cache usage ratio, MACs, wall-clock speedup (measured side by side in this "
                        + "run, the methods taking turns batch by batch so that machine load hits all alike), PSNR and SSIM against the uncached samples, and for Fashion-MNIST models class consistency and "
                        + "FID in the features of the classifier trained here (not Inception FID). Writes report.md, "
                        + "report.csv, pareto.png and a sample grid per method to --out."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Mixin
    ThreadOptions threads = new ThreadOptions();

    @Option(names = "--methods", defaultValue = "none,fewer:14,fora:2,fora:3,delta-dit,fbcache:0.1", split = ",",
            paramLabel = "POLICY", description = "Comma-separated --cache policies; 'none' (the baseline) is added first if missing. Default: ${DEFAULT-VALUE}.")
    List<String> methods;

    @Option(names = "--threshold", paramLabel = "T", description = "Router threshold (default: each router file's);"
            + " only with router:... among --methods.")
    Double threshold;

    @Option(names = "--n", defaultValue = "500", description = "Samples per method (labels cycle over the classes). Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--batch", defaultValue = "50", description = "Samples per sampler batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Mixin
    VaeOption vae = new VaeOption();

    @Mixin
    FidOption fid = new FidOption();

    @Option(names = "--shard", paramLabel = "K/N", description = "Run only part K of N (0 <= K < N) of the --n samples:"
            + " the K-th of N runs of whole --batch batches, with the bits an unsplit run gives them. Writes DIR/shard-K-of-N.json"
            + " (exact sufficient statistics) instead of the report; 'ditcache eval-merge' merges the N parts into"
            + " the report of the whole run. For batch schedulers (Slurm arrays, Kubernetes jobs).")
    String shard;

    @Override
    public Integer call() throws Exception {
        if (n < 2) {
            throw new IllegalArgumentException("--n must be >= 2, got " + n);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        Shard part = shard == null ? Shard.ALL : Shard.parse(shard);
        part.checkFits(n, batch);
        threads.apply();
        SamplerSettings settings = sampling.settingsFor(model);
        Preflight.outputDirectory("--out", out);
        LinkedHashSet<String> ordered = new LinkedHashSet<>();
        ordered.add("none");
        ordered.addAll(methods);
        List<String> all = new ArrayList<>(ordered);
        List<Method> parsed = new ArrayList<>();
        for (String m : all) {
            parsed.add(CacheOption.parse("--methods", m, threshold, settings)); // fail fast on a bad spec
        }
        Preflight.thresholdNeedsRouter(threshold, parsed.stream().map(Method::cache).toList(),
                "--methods " + String.join(",", methods));
        vae.check(model.randomWeights);
        LatentDecoder decoder = vae.given() ? vae.load(model.randomWeights) : null;
        DiT dit = model.load();
        DiTConfig c = dit.config();
        SampleJudge judge = Judges.forModel(c);
        boolean fidHere = judge != null && part.equals(Shard.ALL); // a part's FID is the merge's
        if (fidHere) {
            fid.checkTestSet(); // before the minutes of sampling, not after them
        }
        for (Method m : parsed) {
            // e.g. a router made for other steps: fail before any sampling
            Preflight.checkFits(m.cache(), dit, m.runSteps(settings.steps()));
        }
        Files.createDirectories(out);
        long from = part.from(n, batch);
        int m = Math.toIntExact(part.to(n, batch) - from);
        Pipeline pipe = Pipeline.of(dit).settings(settings).decoder(decoder);
        FeatureStatistics reference = null;
        if (fidHere) {
            if (n < FID_MIN_N && !fid.skip) {
                System.err.printf(Locale.ROOT, "warning: --n %d is below %d: the FID over the classifier's 128 features"
                        + " is biased upward and noisy at small n (its covariance needs many more samples than 128"
                        + " features); compare FIDs only at equal n, and report them from --n %d or more%n", n, FID_MIN_N, FID_MIN_N);
            }
            reference = fid.reference(judge);
        }

        Progress.Phase warmUp = Progress.phase("warm-up: one untimed uncached batch of " + Math.min(batch, m) + " (JIT)");
        Evaluation.warmUp(pipe, sampling.seed, Math.min(batch, m));
        warmUp.done();
        List<String> labelsOfMethods = all.stream().map(MethodLabel::ofSpec).toList();
        Evaluation.Part done;
        Progress.Phase[] judging = {null};
        String what = "PSNR/SSIM" + (judge == null ? "" : ", class consistency" + (reference == null ? "" : " and FID"))
                + " of " + all.size() + " methods";
        try (Progress bar = new Progress("eval " + all.size() + " methods", (long) m * all.size(), "img")) {
            done = Evaluation.runPart(pipe, EvalShard.modelOf(dit), labelsOfMethods, parsed,
                    sampling.seed, n, from, from + m, batch, judge, new Evaluation.Listener() {
                        @Override
                        public void onProgress(double samplesDone) {
                            bar.stepTo((long) samplesDone, null);
                        }

                        @Override
                        public void onJudging() {
                            bar.close();
                            judging[0] = Progress.phase(what);
                        }
                    });
        }
        judging[0].done();
        List<Evaluation.Run> runs = done.runs();
        EvalShard stats = done.shard();
        List<MethodResult> results = stats.results(reference);
        if (!part.equals(Shard.ALL)) {
            Path file = out.resolve("shard-" + part.index() + "-of-" + part.count() + ".json");
            stats.write(file);
            EvalReport.print(results, System.out);
            System.out.println("shard " + part + " (samples " + from + " to " + (from + m - 1) + ") -> " + file
                    + "; merge the " + part.count() + " shards with: ditcache eval-merge --out DIR " + out);
            return 0;
        }
        for (Evaluation.Run r : runs) {
            int[] shape = r.samples().shape();
            shape[0] = Math.min(m, 20);
            Tensor head = Tensor.of(Arrays.copyOf(r.samples().data(), shape[0] * r.samples().numel() / m), shape);
            if (shape[1] == 1 || shape[1] == 3) {
                ImageGrid.write(head, 10, 2, out.resolve("samples-" + r.method().replaceAll("[^A-Za-z0-9._-]", "_") + ".png"));
            }
        }
        String header = EvalReport.header(c.name(), settings, n, sampling.seed,
                io.ditcache.tensor.Parallel.threads() + " threads");
        if (decoder != null) {
            double decodeMs = stats.methods().stream().mapToDouble(x -> x.decodeMs()).sum();
            header += String.format(Locale.ROOT, "%n%nSamples decoded by %s (%s): PSNR/SSIM are of the decoded images;"
                    + " decoding took %.0f ms per image on average, not cached and not in the wall times or speedups"
                    + " (end to end, add it to both sides).", decoder.name(), vae.vae,
                    decodeMs / ((double) m * runs.size()));
        }
        EvalReport.write(out, results, header, sampling.seed);
        EvalReport.print(results, System.out);
        System.out.println("report -> " + out.resolve("report.md") + ", " + out.resolve("report.csv") + ", " + out.resolve("pareto.png"));
        return 0;
    }

    /** Below this many samples per method the classifier-feature FID gets a warning. */
    static final int FID_MIN_N = 1000;
}
