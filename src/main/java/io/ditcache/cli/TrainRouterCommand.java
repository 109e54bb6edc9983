package io.ditcache.cli;

import io.ditcache.Provenance;
import io.ditcache.cache.Router;
import io.ditcache.cache.RouterFile;
import io.ditcache.data.FashionMnist;
import io.ditcache.model.DiT;
import io.ditcache.tensor.Parallel;
import io.ditcache.train.IepoProxy;
import io.ditcache.train.RouterConvergence;
import io.ditcache.train.RouterEvaluation;
import io.ditcache.train.RouterTrainer;
import io.ditcache.train.RouterTrainingConfig;
import io.ditcache.train.RouterTrainingMethod;
import io.ditcache.train.TrainingImages;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ditcache train-router}: learns a cache router (L2C, HarmoniCa or SDT) for a frozen DiT. */
@Command(name = "train-router", mixinStandardHelpOptions = true,
        description = {"Learn a feature-cache router for a DiT and sampler step count.",
                "harmonica: Step-Wise Denoising Training + Image Error Proxy-Guided Objective (no images needed); "
                        + "l2c: Learning-to-Cache on noised training images (--data fashion-mnist or --latents FILE); sdt: SDT "
                        + "with the plain L2C objective (the HarmoniCa paper's ablation). Checkpoints to OUT.ckpt.safetensors; "
                        + "--resume continues exactly. The router goes to OUT atomically. Example: ditcache train-router "
                        + "--method harmonica --model default --steps 20 --iters 2000 --out r.safetensors"})
public final class TrainRouterCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--method", defaultValue = "harmonica", description = "harmonica, l2c or sdt. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--steps", defaultValue = "20", description = "Sampling steps N. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--sampler", description = "Sampler: ddim (as both papers), or ddim+clip for pixel-space models (x0 clamped to [-1, 1])."
            + " Default: ddim+clip for --model default (how the embedded model and its routers sample), else ddim.")
    String sampler;

    @Option(names = "--cfg", defaultValue = "1.5", description = "Guidance scale: SDT's CFG forward; recorded in the router. Default: ${DEFAULT-VALUE}.")
    double cfg;

    @Option(names = "--iters", description = "Iterations (SDT: timesteps, N per trajectory). Default: enough for every step's router to"
            + " travel --travel in logit space: SDT ceil(travel/lr) x N, L2C ceil(travel/lr) x (N/2) / micro-batches.")
    Long iters;

    @Option(names = "--travel", defaultValue = "12", description = "With the default --iters: lr x updates each step's router"
            + " gets (the clamp range [-5, 5] is 10 wide; a router that cannot travel 10 cannot decide). Default: ${DEFAULT-VALUE}.")
    double travel;

    @Option(names = "--target-usage", paramLabel = "U", description = "Train to a cache usage U in (0, 1): beta starts at"
            + " --beta (or the default); then every N iterations it is set to the price (a quantile of the units' measured"
            + " benefit of computing) that reuses a share U, steered by a bounded integral of the usage error at --threshold."
            + " The last --landing share of the run trains at the threshold at which the router's plan reuses exactly U (HarmoniCa's"
            + " rollout refreshes its cache by it), and that threshold is stored: the router is used where it was trained.")
    Double targetUsage;

    @Option(names = "--landing", defaultValue = "0.25", paramLabel = "F", description = "With --target-usage: the share of"
            + " the run, at its end, trained at the landed threshold. Default: ${DEFAULT-VALUE}.")
    double landing;

    @Option(names = "--decide", defaultValue = "0", paramLabel = "K", description = "With --target-usage: weight kappa of"
            + " the decision term -gamma * sum (w - tau)^2 of the landing phase (gamma rising geometrically from beta to"
            + " kappa * beta over its first quarter; tau the threshold landed at its start, then held). It pushes every score away from the threshold to the side its own"
            + " loss favours, so the router ends decided (scores near 0 or 1) and training mixes what inference computes."
            + " 0 (off) trains the papers' objective. Default: ${DEFAULT-VALUE}.")
    double decide;

    @Option(names = "--beta-rate", defaultValue = "0.1", description = "With --target-usage: the rate eta of the leaky usage-error integral that steers beta. Default: ${DEFAULT-VALUE}.")
    double betaRate;

    @Option(names = "--batch", defaultValue = "8", description = "L2C: images per micro-batch; SDT: conditional rows (plus as many null rows). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--trajectories", defaultValue = "1", paramLabel = "K", description = "harmonica/sdt: K independent trajectories"
            + " per iteration, their router gradients averaged (the paper trains on 4 GPUs, one trajectory each); K x the cost. Default: ${DEFAULT-VALUE}.")
    int trajectories;

    @Option(names = "--micro-batches", defaultValue = "1", description = "L2C: micro-batches per iteration, each with its own timestep, gradients averaged (8 emulates the papers' 8 GPUs). Default: ${DEFAULT-VALUE}.")
    int microBatches;

    @Option(names = "--lr", description = "AdamW learning rate (default: l2c 1e-3, harmonica/sdt 1e-2).")
    Double lr;

    @Option(names = "--beta", description = "Weight of the sparsity term beta * sum(sigmoid) (default: l2c 5e-6, harmonica 7e-8, sdt 5e-6; tuned for DiT-XL/2).")
    Double beta;

    @Option(names = "--lambda-every", defaultValue = "500", description = "HarmoniCa: iterations between IEPO lambda refreshes (C). Default: ${DEFAULT-VALUE}.")
    long lambdaEvery;

    @Option(names = "--tau", defaultValue = "0.1", description = "SDT: cache slots are overwritten where w > tau. Default: ${DEFAULT-VALUE}.")
    double tau;

    @Option(names = "--proxy", description = "HarmoniCa's IEPO proxy: paper (caching off at step t only) or cumulative (the reference code). Default: "
            + "paper (lower final-sample error in bench/results/router-training-methods.md).")
    String proxy;

    @Option(names = "--threshold", defaultValue = "0.1", description = "Inference threshold stored in the router and used for the progress's cache usage. Default: ${DEFAULT-VALUE}.")
    double threshold;

    @Option(names = "--calibrate-usage", paramLabel = "U",
            description = "After training, store as the router's default threshold the one at which its plan reuses a share U"
                    + " of all (step, unit) pairs (e.g. 0.35), instead of --threshold. The logits are unchanged.")
    Double calibrateUsage;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of router init, data, noise and labels. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--data", description = "L2C training images: fashion-mnist (default for l2c without --latents).")
    String data;

    @Option(names = "--data-dir", description = "Directory of the Fashion-MNIST IDX files (default "
            + FashionMnist.DEFAULT_DIR_NAME + ").")
    Path dataDir;

    @Option(names = "--latents", paramLabel = "FILE", description = "L2C training latents: safetensors with latents [N,C,H,W] (scaled by 0.18215) and labels [N].")
    Path latents;

    @Option(names = "--checkpoint-every", defaultValue = "200", description = "Checkpoint interval in iterations (0: only at the end). Default: ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(names = "--resume", description = "Continue from OUT.ckpt.safetensors.")
    boolean resume;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output router (.safetensors).")
    Path out;

    /** Half-width, in logits, of the band around a re-set threshold whose scores are reported as undecided by it. */
    static final double NEAR_LOGIT = 0.5;

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        RouterTrainingMethod m = RouterTrainingMethod.parse(method);
        if (calibrateUsage != null && !(calibrateUsage > 0 && calibrateUsage < 1)) {
            throw new IllegalArgumentException("--calibrate-usage must be in (0, 1), got " + calibrateUsage);
        }
        if (calibrateUsage != null && targetUsage != null) {
            throw new IllegalArgumentException("--calibrate-usage and --target-usage both set the stored threshold: give one"
                    + " (--target-usage already stores the threshold at which the router reuses U)");
        }
        if (!(travel > 0 && Double.isFinite(travel))) {
            throw new IllegalArgumentException("--travel must be > 0, got " + travel);
        }
        RouterTrainingConfig d = RouterTrainingConfig.defaults(m, Math.max(2, steps), 0);
        double rate = lr == null ? d.lr() : lr;
        long iterations = iters == null ? RouterTrainingConfig.iterationsForTravel(m, steps, microBatches, rate, travel) : iters;
        RouterTrainingConfig config = new RouterTrainingConfig(m, steps, samplerOrDefault(), cfg, iterations,
                batch, microBatches, rate, beta == null ? d.beta() : beta, lambdaEvery, tau,
                proxy == null ? RouterTrainingConfig.DEFAULT_PROXY : IepoProxy.parse(proxy), seed, d.labelDrop(),
                threshold, checkpointEvery, targetUsage == null ? Double.NaN : targetUsage, betaRate, trajectories,
                landing, decide);
        if (iters == null) {
            System.out.printf(Locale.ROOT, "--iters %d (default: every step's router travels lr x updates = %.3g x %d = %.1f)%n",
                    iterations, rate, config.updatesPerRouter(), rate * config.updatesPerRouter());
        }
        Preflight.outputFile("--out", out);
        Path ckpt = Preflight.checkpoint(out, resume);
        DiT dit = model.load();
        RouterTrainer trainer = new RouterTrainer(dit, config, trainingImages(m));
        if (resume) {
            trainer.resumeFrom(ckpt);
            System.out.println("resumed at iteration " + trainer.iteration() + " from " + ckpt);
        }
        System.out.println("train-router " + config);
        try (Progress progress = new Progress("train-router " + m.id(), iterations, "it", trainer.iteration())) {
            trainer.train(ckpt, new RouterTrainingProgress(progress, config, trainer.iteration()));
        }
        Map<String, String> extra = new LinkedHashMap<>(Provenance.current().toMap());
        extra.put("model_source", model.model);
        Router router = trainer.result(extra);
        double stored = router.defaultThreshold();
        if (calibrateUsage != null) {
            stored = Math.min(0.999, Math.max(1e-6, Math.nextUp(RouterEvaluation.thresholdForUsage(router, calibrateUsage))));
            Map<String, String> prov = new LinkedHashMap<>(router.provenance());
            prov.put("threshold_calibrated_for_usage", Double.toString(calibrateUsage));
            router = new Router(router.method(), router.logits(), router.sampler(), router.cfg(), router.modelFingerprint(),
                    stored, prov);
        }
        RouterFile.save(out, router);
        threshold = stored;
        System.out.printf(Locale.ROOT, "wrote %s router (%d steps x %d units) -> %s; cache usage at threshold %.2f: %.1f%%%n",
                m.id(), router.steps(), router.units(), out, threshold, 100 * router.plan(threshold).usageRatio());
        if (config.targetsUsage()) {
            System.out.printf(Locale.ROOT, "landed: trained at the threshold of %.1f%% usage from iteration %s; %d of the"
                            + " trained scores lie within a logit of +-%.1f of it%n", 100 * config.targetUsage(),
                    router.provenance().get("landing_from_iteration"),
                    RouterEvaluation.scoresNearThreshold(router, threshold, NEAR_LOGIT), NEAR_LOGIT);
        }
        if (calibrateUsage != null) {
            System.out.printf(Locale.ROOT, "re-thresholded: %d of the trained scores lie within a logit of +-%.1f of the"
                            + " threshold (their compute/reuse choice hangs on it)%n",
                    RouterEvaluation.scoresNearThreshold(router, threshold, NEAR_LOGIT), NEAR_LOGIT);
        }
        RouterConvergence conv = trainer.convergence();
        System.out.println("convergence: " + conv.summary());
        if (conv.warning() != null) {
            System.err.println("warning: " + conv.warning());
        }
        return 0;
    }

    private TrainingImages trainingImages(RouterTrainingMethod m) throws java.io.IOException {
        if (m.stepWise()) {
            if (latents != null || data != null) {
                System.err.println("note: " + m.id() + " trains on the model's own trajectories; --data/--latents are ignored");
            }
            return null;
        }
        if (latents != null) {
            if (data != null) {
                throw new IllegalArgumentException("give either --data or --latents, not both");
            }
            return TrainingImages.latents(latents);
        }
        if (data != null && !data.equals("fashion-mnist")) {
            throw new IllegalArgumentException("--data " + data + ": only fashion-mnist is built in; use --latents FILE for latent models");
        }
        return TrainingImages.of((dataDir == null ? new FashionMnist() : new FashionMnist(dataDir)).train());
    }

    /** The given --sampler, or the model's own: ddim+clip for the embedded pixel-space model, ddim otherwise. */
    private String samplerOrDefault() {
        if (sampler != null) {
            return sampler.trim().toLowerCase(Locale.ROOT);
        }
        return io.ditcache.SamplerSettings.defaultsFor(model.model).sampler();
    }
}
