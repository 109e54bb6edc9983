package io.ditcache.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one router training run. {@link #defaults} gives the published values:
 * <ul>
 *   <li>L2C (DiT README, DiT-XL/2 DDIM-20): lr 1e-3, λ ({@code beta} here) 5e-6, batch 8 per micro-batch
 *       (8 micro-batches emulate the 8-GPU global batch of 64; default 1), label drop 0.1.</li>
 *   <li>HarmoniCa (README command, DiT-XL/2 DDIM-10): lr 1e-2, β 7e-8, batch 8 conditional rows (+ 8 null rows),
 *       C = 500, τ = 0.1, guidance 1.5.</li>
 *   <li>SDT: HarmoniCa's settings with the L2C objective, β 5e-6 (the L2C value: the objective is L2C's).</li>
 * </ul>
 * The β values were tuned for DiT-XL/2's 56 units and ImageNet latents; other models may need other values.
 *
 * @param method          how to train
 * @param steps           sampling steps N (spaced DDIM schedule)
 * @param sampler         sampler name; only {@code ddim} (the papers' sampler) is supported
 * @param cfg             guidance scale of SDT's CFG forward (L2C runs without guidance)
 * @param iterations      total iterations: L2C optimiser iterations, SDT timesteps (N per trajectory, the forced
 *                        first step included, as the reference's {@code max_steps})
 * @param batch           L2C: images per micro-batch; SDT: conditional rows (the forward runs 2x with null rows)
 * @param microBatches    L2C only: micro-batches per iteration, each with its own timestep; gradients are summed and
 *                        divided by their number, exactly as DDP averages over ranks
 * @param lr              AdamW learning rate
 * @param beta            weight of the sparsity term β Σ sigmoid(θ) (L2C's λ, {@code --l1} in both codes)
 * @param lambdaEvery     HarmoniCa: C, iterations between IEPO λ refreshes
 * @param tau             SDT: a cache slot is overwritten where w > τ
 * @param proxy           HarmoniCa: how λ(t) is measured
 * @param seed            seed of router init, data order, noise and labels
 * @param labelDrop       L2C: probability of the forced label drop
 * @param threshold       inference threshold stored in the router and used for the progress's cache usage ratio
 * @param checkpointEvery iterations between checkpoints (0 = only at the end)
 * @param targetUsage     NaN, or the cache usage ratio the router should reach at its own threshold: β then
 *                        follows {@link UsageTargetBeta} from the given starting value, and the last
 *                        {@code landing} of the run trains at the threshold that has this usage (stored
 *                        in the router instead of {@code threshold})
 * @param betaRate        η of {@link UsageTargetBeta}'s bounded integral of the usage error
 * @param trajectories    SDT: K independent trajectories per iteration, their gradients averaged (the paper's 4 GPUs)
 * @param landing         with a target usage: the share of the run, at its end, trained at the landed threshold
 * @param decide          κ of the decision term (0: off, else ≥ 1), with a target usage: the landing phase adds
 *                        −(γ/2) Σ_k (θ_k − logit τ)² to the loss, τ the landed threshold and γ rising geometrically
 *                        from β to κ β over the first quarter of the phase. The plain objective has interior optima
 *                        (w* = 1 − β / (2a) for a unit whose caching costs a (1 − w)², and units whose image loss is
 *                        lowest at a partial mix): undecided scores that inference, computing or reusing each unit
 *                        whole, never sees. The concave term removes them, so each unit ends near 0 or 1 on the side
 *                        of τ its own loss favours while the term grows, and training mixes what inference computes
 *                        ({@link RouterConvergence}'s undecided share)
 */
public record RouterTrainingConfig(RouterTrainingMethod method, int steps, String sampler, double cfg, long iterations,
                                   int batch, int microBatches, double lr, double beta, long lambdaEvery, double tau,
                                   IepoProxy proxy, long seed, double labelDrop, double threshold,
                                   long checkpointEvery, double targetUsage, double betaRate,
                                   int trajectories, double landing, double decide) {
    /** The default IEPO proxy, chosen by the measurement in {@code bench/results/router-training-methods.md}. */
    public static final IepoProxy DEFAULT_PROXY = IepoProxy.PAPER;

    public RouterTrainingConfig {
        check(method != null, "method is missing");
        check(steps >= 2 && steps <= 1000, "--steps must be in [2, 1000], got " + steps);
        check("ddim".equals(sampler) || "ddim+clip".equals(sampler), "--sampler " + sampler + " is not supported for router training: both papers "
                + "train on DDIM steps; use --sampler ddim");
        check(Double.isFinite(cfg) && cfg >= 1, "--cfg must be >= 1, got " + cfg);
        check(iterations >= 0, "--iters must be >= 0, got " + iterations);
        check(batch >= 1, "--batch must be >= 1, got " + batch);
        check(microBatches >= 1, "--micro-batches must be >= 1, got " + microBatches);
        check(lr > 0 && Double.isFinite(lr), "--lr must be > 0, got " + lr);
        check(beta >= 0 && Double.isFinite(beta), "--beta must be >= 0, got " + beta);
        check(lambdaEvery >= 1, "--lambda-every must be >= 1, got " + lambdaEvery);
        check(tau >= 0 && tau < 1, "--tau must be in [0, 1), got " + tau);
        check(proxy != null, "proxy is missing");
        check(labelDrop >= 0 && labelDrop <= 1, "label drop must be in [0, 1], got " + labelDrop);
        check(threshold > 0 && threshold < 1, "--threshold must be in (0, 1), got " + threshold);
        check(checkpointEvery >= 0, "--checkpoint-every must be >= 0, got " + checkpointEvery);
        check(Double.isNaN(targetUsage) || (targetUsage > 0 && targetUsage < 1),
                "--target-usage must be in (0, 1), got " + targetUsage);
        check(Double.isNaN(targetUsage) || targetUsage <= reusableShare(method, steps),
                String.format(Locale.ROOT, "--target-usage %s is above the most %s can reuse at %d steps (%.1f%%: %s)",
                        targetUsage, method.id(), steps, 100 * reusableShare(method, steps),
                        method.stepWise() ? "its first step is always computed" : "only its cache steps reuse"));
        check(Double.isNaN(targetUsage) || beta > 0, "--target-usage adapts beta multiplicatively: --beta must be > 0");
        check(Double.isFinite(betaRate) && betaRate > 0, "--beta-rate must be > 0, got " + betaRate);
        check(trajectories >= 1 && trajectories <= 64, "--trajectories must be in [1, 64], got " + trajectories);
        check(landing > 0 && landing < 1, "--landing must be in (0, 1), got " + landing);
        check(decide == 0 || (decide >= 1 && Double.isFinite(decide)), "--decide must be 0 (off) or >= 1, got " + decide);
        check(decide == 0 || !Double.isNaN(targetUsage), "--decide pushes scores away from the landed threshold: it needs --target-usage");
        check(trajectories == 1 || method != RouterTrainingMethod.L2C,
                "--trajectories is for harmonica and sdt; l2c averages over --micro-batches");
    }

    /** η of the β update when no other is given: the integral settles at the usage error itself (1 / (1 - leak) = 10 times η). */
    public static final double DEFAULT_BETA_RATE = 0.1;

    /**
     * The iterations after which every trained step's router has taken about {@code ceil(travel / lr)} AdamW updates:
     * SDT updates each of them once per trajectory of N iterations; L2C updates {@code microBatches} routers drawn
     * from its ⌊N/2⌋ cache steps per iteration (so the count is an expectation).
     */
    public static long iterationsForTravel(RouterTrainingMethod method, int steps, int microBatches, double lr, double travel) {
        long updates = (long) Math.ceil(travel / lr - 1e-9);
        return method.stepWise() ? updates * steps
                : (long) Math.ceil((double) updates * (steps / 2) / Math.max(1, microBatches));
    }

    /** The AdamW updates each trained step's router gets in {@link #iterations} (L2C: in expectation). */
    public long updatesPerRouter() {
        return method.stepWise() ? iterations / steps : iterations * microBatches / Math.max(1, steps / 2);
    }

    /** Share of the (step, unit) pairs that {@code method} can reuse at {@code steps} steps: those of its trained steps. */
    public static double reusableShare(RouterTrainingMethod method, int steps) {
        int trained = 0;
        for (int s = 0; s < steps; s++) {
            trained += method.trains(s, steps) ? 1 : 0;
        }
        return trained / (double) steps;
    }

    /**
     * The default share of a target-usage run's iterations, at its end, trained at the landed threshold
     * ({@link RouterTrainer#threshold()}); a setting in checkpoints, so runs of another rule do not resume under it.
     */
    public static final double DEFAULT_LANDING = 0.25;

    /** Whether β adapts toward {@link #targetUsage}. */
    public boolean targetsUsage() {
        return !Double.isNaN(targetUsage);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The published settings for {@code method} at {@code steps} steps and {@code iterations} iterations. */
    public static RouterTrainingConfig defaults(RouterTrainingMethod method, int steps, long iterations) {
        boolean l2c = method == RouterTrainingMethod.L2C;
        return new RouterTrainingConfig(method, steps, "ddim", 1.5, iterations, 8, 1, l2c ? 1e-3 : 1e-2,
                method == RouterTrainingMethod.HARMONICA ? 7e-8 : 5e-6, 500, 0.1, DEFAULT_PROXY, 0, 0.1, 0.1, 0, Double.NaN,
                DEFAULT_BETA_RATE, 1, DEFAULT_LANDING, 0);
    }

    public RouterTrainingConfig withIterations(long n) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, n, batch, microBatches, lr, beta, lambdaEvery, tau,
                proxy, seed, labelDrop, threshold, checkpointEvery, targetUsage, betaRate, trajectories, landing, decide);
    }

    public RouterTrainingConfig withBeta(double b) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, batch, microBatches, lr, b, lambdaEvery,
                tau, proxy, seed, labelDrop, threshold, checkpointEvery, targetUsage, betaRate, trajectories, landing, decide);
    }

    public RouterTrainingConfig withBatch(int b, int micro) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, b, micro, lr, beta, lambdaEvery, tau,
                proxy, seed, labelDrop, threshold, checkpointEvery, targetUsage, betaRate, trajectories, landing, decide);
    }

    public RouterTrainingConfig withLr(double rate) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, batch, microBatches, rate, beta,
                lambdaEvery, tau, proxy, seed, labelDrop, threshold, checkpointEvery, targetUsage, betaRate, trajectories, landing, decide);
    }

    public RouterTrainingConfig withIepo(IepoProxy p, long every) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, batch, microBatches, lr, beta, every, tau,
                p, seed, labelDrop, threshold, checkpointEvery, targetUsage, betaRate, trajectories, landing, decide);
    }

    public RouterTrainingConfig withSeed(long s) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, batch, microBatches, lr, beta,
                lambdaEvery, tau, proxy, s, labelDrop, threshold, checkpointEvery, targetUsage, betaRate, trajectories, landing, decide);
    }

    public RouterTrainingConfig withCfg(double scale, double slotTau) {
        return new RouterTrainingConfig(method, steps, sampler, scale, iterations, batch, microBatches, lr, beta,
                lambdaEvery, slotTau, proxy, seed, labelDrop, threshold, checkpointEvery, targetUsage, betaRate, trajectories, landing, decide);
    }

    public RouterTrainingConfig withCheckpointEvery(long n) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, batch, microBatches, lr, beta,
                lambdaEvery, tau, proxy, seed, labelDrop, threshold, n, targetUsage, betaRate, trajectories, landing, decide);
    }

    public RouterTrainingConfig withThreshold(double t) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, batch, microBatches, lr, beta,
                lambdaEvery, tau, proxy, seed, labelDrop, t, checkpointEvery, targetUsage, betaRate, trajectories, landing, decide);
    }

    /** These settings with β adapted toward cache usage {@code usage} (NaN: fixed β) at rate {@code rate}. */
    public RouterTrainingConfig withTargetUsage(double usage, double rate) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, batch, microBatches, lr, beta,
                lambdaEvery, tau, proxy, seed, labelDrop, threshold, checkpointEvery, usage, rate, trajectories, landing, decide);
    }

    /** These settings with K = {@code k} trajectories per SDT iteration. */
    public RouterTrainingConfig withTrajectories(int k) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, batch, microBatches, lr, beta,
                lambdaEvery, tau, proxy, seed, labelDrop, threshold, checkpointEvery, targetUsage, betaRate, k, landing, decide);
    }

    /** These settings with the landing share {@code share} and the decision term's κ = {@code kappa}. */
    public RouterTrainingConfig withDecision(double share, double kappa) {
        return new RouterTrainingConfig(method, steps, sampler, cfg, iterations, batch, microBatches, lr, beta,
                lambdaEvery, tau, proxy, seed, labelDrop, threshold, checkpointEvery, targetUsage, betaRate, trajectories,
                share, kappa);
    }

    /**
     * The settings that decide the result (everything but the iteration count and checkpoint interval), as strings:
     * stored in checkpoints (a resume must match them) and in the router's provenance.
     */
    public Map<String, String> trajectorySettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", method.id());
        m.put("steps", Integer.toString(steps));
        m.put("sampler", sampler);
        m.put("seed", Long.toString(seed));
        m.put("lr", Double.toString(lr));
        m.put("beta", Double.toString(beta));
        m.put("batch", Integer.toString(batch));
        if (method.stepWise()) {
            m.put("cfg", Double.toString(cfg));
            m.put("tau", Double.toString(tau));
        } else {
            m.put("micro_batches", Integer.toString(microBatches));
            m.put("label_drop", Double.toString(labelDrop));
        }
        if (trajectories > 1) {
            m.put("trajectories", Integer.toString(trajectories));
        }
        if (targetsUsage()) {
            m.put("target_usage", Double.toString(targetUsage));
            m.put("threshold", Double.toString(threshold));
            m.put("beta_rate", Double.toString(betaRate));
            m.put("landing", Double.toString(landing));
            if (decide > 0) {
                m.put("decide", Double.toString(decide));
            }
        }
        if (method == RouterTrainingMethod.HARMONICA) {
            m.put("proxy", proxy.id());
            m.put("lambda_every", Long.toString(lambdaEvery));
        }
        return m;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s", trajectorySettings(), "iterations=" + iterations);
    }

    /** Whether the DDIM steps of training clamp x0 to [-1, 1] ({@code --sampler ddim+clip}, for pixel-space models). */
    public boolean clipDenoised() {
        return sampler.endsWith("+clip");
    }
}
