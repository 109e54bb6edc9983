package io.ditcache.train;

import io.ditcache.cache.ModelFingerprint;
import io.ditcache.cache.Router;
import io.ditcache.model.DiT;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains a cache router for a frozen DiT: Learning-to-Cache, HarmoniCa (SDT + IEPO) or SDT alone
 * ({@link RouterTrainingMethod}), resumable and deterministic under the seed (same machine, same thread count).
 * <pre>
 *   Router r = RouterTrainer.train(model, RouterTrainingConfig.defaults(HARMONICA, 20, 2000), null);
 * </pre>
 * Checkpoints ({@link RouterCheckpoint}) hold the logits, every router's AdamW state, the iteration and IEPO's λ.
 * L2C can checkpoint after any iteration; SDT only between trajectories (its x_t and feature cache are not saved),
 * so a checkpoint taken mid-trajectory holds the state at the start of that trajectory and a resume replays it.
 * Either way a resumed run ends bit-identical to a straight one.
 */
public final class RouterTrainer {
    /** Progress after each iteration. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (done, total, loss, trainer) -> { };

        /** @param loss the iteration's loss, NaN for SDT's forced first step */
        void onIteration(long done, long total, double loss, RouterTrainer trainer);

        /**
         * HarmoniCa's IEPO λ refresh at a trajectory start (N generations of N steps per trajectory, a long silent phase
         * on a big model): {@code done} of {@code total} generations, 0 as it starts, {@code total} at its end.
         */
        default void onLambdaRefresh(int done, int total) {
        }
    }

    private final DiT model;
    private final RouterTrainingConfig config;
    private final String fingerprint;
    private final TrainableRouter router;
    private final String dataDescription;
    private final L2cIteration l2c;
    private final SdtIteration sdt;
    private final float[][] initialLogits;
    private final UsageTargetBeta usageTarget;
    private long iteration;
    private RouterCheckpoint trajectoryStart;
    private double landed = Double.NaN;

    /**
     * @param data training images for L2C (checked against the model); ignored (may be null) for SDT methods, which
     *             need none
     */
    public RouterTrainer(DiT model, RouterTrainingConfig config, TrainingImages data) {
        this.model = model;
        this.config = config;
        this.fingerprint = ModelFingerprint.of(model);
        int units = model.config().units();
        this.router = TrainableRouter.initial(config.method(), config.steps(), units, config.seed());
        this.initialLogits = router.logits();
        this.usageTarget = config.targetsUsage()
                ? new UsageTargetBeta(config.targetUsage(), config.betaRate(), config.beta(), config.method(),
                config.steps(), units) : null;
        float[] lambda = new float[config.trajectories() * config.steps()];
        Arrays.fill(lambda, 1f);
        if (config.method().stepWise()) {
            this.l2c = null;
            this.sdt = new SdtIteration(model, config, router, lambda);
            this.dataDescription = "none (SDT: the model's own trajectories)";
        } else {
            if (data == null) {
                throw new IllegalArgumentException("l2c trains on images: give --data fashion-mnist or --latents FILE");
            }
            if (config.steps() < 2) {
                throw new IllegalArgumentException("l2c needs at least 2 steps (one full step, one cache step)");
            }
            data.checkFits(model.config());
            this.l2c = new L2cIteration(model, config, data, router);
            this.sdt = null;
            this.dataDescription = data.description();
        }
        if (usageTarget != null) {
            if (sdt != null) {
                sdt.onUnitGradients(usageTarget::observe);
            } else {
                l2c.onUnitGradients(usageTarget::observe);
            }
        }
    }

    /** Trains from scratch to {@code config.iterations()} without checkpoints and returns the router. */
    public static Router train(DiT model, RouterTrainingConfig config, TrainingImages data) throws IOException {
        RouterTrainer t = new RouterTrainer(model, config, data);
        t.train(null, Listener.NONE);
        return t.result(Map.of());
    }

    /** Continues from {@code checkpoint} (written by a run with the same settings on the same model). */
    public void resumeFrom(Path checkpoint) throws IOException {
        RouterCheckpoint c = RouterCheckpoint.load(checkpoint, config, fingerprint, router.units());
        if (sdt != null && c.iteration() % config.steps() != 0) {
            throw new IllegalArgumentException(checkpoint + ": iteration " + c.iteration()
                    + " is not at a trajectory start (a multiple of " + config.steps() + ")");
        }
        c.restoreInto(router);
        if (usageTarget != null) {
            c.restoreInto(usageTarget);
            setBeta(usageTarget.beta());
            land(c.landedThreshold());
            updateDecision(Math.floorDiv(c.iteration(), config.steps()) * config.steps());
        }
        if (sdt != null) {
            sdt.setLambda(c.lambda().clone());
        }
        iteration = c.iteration();
        trajectoryStart = null;
    }

    public RouterTrainingConfig config() {
        return config;
    }

    public DiT model() {
        return model;
    }

    /** Iterations done so far. */
    public long iteration() {
        return iteration;
    }

    public TrainableRouter router() {
        return router;
    }

    /** IEPO's current λ per step, trajectory by trajectory (ones for L2C and SDT), a copy. */
    public float[] iepoLambda() {
        return sdt == null ? ones() : sdt.lambda().clone();
    }

    private float[] ones() {
        float[] l = new float[config.steps()];
        Arrays.fill(l, 1f);
        return l;
    }

    /** β of the sparsity term now: the configured one, or where {@link UsageTargetBeta} has taken it. */
    public double beta() {
        return usageTarget == null ? config.beta() : usageTarget.beta();
    }

    /**
     * The threshold training uses now: the configured one, or, in the last {@link RouterTrainingConfig#landing} of a run with a
     * target usage, the one at which the router's plan has exactly that usage ({@link RouterEvaluation#landingThreshold}),
     * set again at every update of β. HarmoniCa's rollout then refreshes its cache where w exceeds it (τ), so the
     * router ends trained at the threshold it is used with. Landing starts by resetting every router's AdamW moments:
     * a unit pushed to the clamp by an overshooting β gets gradients scaled by σ' (40x smaller at the clamp than at 0)
     * that Adam's second moment, filled early, would shrink further, so without the reset it cannot come back, and
     * L2C's units, saturated together, tie at the clamp where no threshold separates them.
     */
    public double threshold() {
        return Double.isNaN(landed) ? config.threshold() : landed;
    }

    /** The first iteration of the landing phase (β and the threshold update at multiples of N from there). */
    long landingStart() {
        return (long) Math.ceil((1 - config.landing()) * config.iterations());
    }

    private void land(double threshold) {
        landed = threshold;
        if (sdt != null) {
            sdt.setTau(Double.isNaN(threshold) ? config.tau() : threshold);
        }
    }

    /**
     * The decision term after the β update at iteration {@code at}: γ = β κ^r, r rising linearly from 0 at the
     * landing start to 1 a quarter into the landing phase (each decade of γ gets the same share of it, so units
     * leave their interior optima in the order of their curvature), centred on the landed threshold; none before
     * landing or with κ = 0. The landed threshold lies between the two scores at the target's rank, so the term
     * pushes the units of each side of it apart and its re-landing never moves a unit to the other side.
     */
    private void updateDecision(long at) {
        RouterObjective.Decision d = RouterObjective.Decision.NONE;
        if (config.decide() > 0 && !Double.isNaN(landed)) {
            double ramp = 0.25 * (config.iterations() - landingStart());
            double r = Math.max(0, Math.min(1, (at - landingStart()) / Math.max(1, ramp)));
            d = new RouterObjective.Decision(beta() * Math.pow(config.decide(), r), landed);
        }
        if (sdt != null) {
            sdt.setDecision(d);
        } else {
            l2c.setDecision(d);
        }
    }

    private void setBeta(double b) {
        if (sdt != null) {
            sdt.setBeta(b);
        } else {
            l2c.setBeta(b);
        }
    }

    /**
     * Runs one iteration and returns its loss (NaN for SDT's forced first step). With a target usage, β is updated
     * first whenever the iteration is a positive multiple of N (SDT: a trajectory start).
     */
    public double step() {
        if (sdt != null && sdt.startsTrajectory(iteration)) {
            trajectoryStart = RouterCheckpoint.of(iteration, router, sdt.lambda(), beta(), usageTarget, landed);
        }
        if (usageTarget != null && iteration > 0 && iteration % config.steps() == 0) {
            if (iteration >= landingStart()) {
                if (Double.isNaN(landed)) {
                    router.resetOptimizers();
                }
                land(RouterEvaluation.landingThreshold(currentRouter(), config.targetUsage()));
            }
            setBeta(usageTarget.update(cacheUsage()));
            updateDecision(iteration);
        }
        double loss;
        if (sdt != null) {
            loss = sdt.run(iteration, true);
        } else {
            loss = l2c.run(iteration, true);
        }
        iteration++;
        return loss;
    }

    /**
     * Runs to {@code config.iterations()}, telling {@code listener} after each iteration and through IEPO's λ
     * refreshes; with a checkpoint file, saves every {@code config.checkpointEvery()} iterations (SDT: at the next
     * trajectory start) and at the end.
     */
    public void train(Path checkpoint, Listener listener) throws IOException {
        if (sdt != null) {
            sdt.listener(listener);
        }
        long every = config.checkpointEvery();
        boolean due = false;
        while (iteration < config.iterations()) {
            double loss = step();
            listener.onIteration(iteration, config.iterations(), loss, this);
            if (checkpoint != null && every > 0 && iteration % every == 0) {
                due = true;
            }
            if (due && checkpointable()) {
                saveCheckpoint(checkpoint);
                due = false;
            }
        }
        if (checkpoint != null) {
            saveCheckpoint(checkpoint);
        }
    }

    private boolean checkpointable() {
        return sdt == null || iteration % config.steps() == 0;
    }

    /** Writes the latest resumable state (SDT mid-trajectory: the state at the trajectory's start) atomically. */
    public void saveCheckpoint(Path file) throws IOException {
        RouterCheckpoint c = checkpointable() || trajectoryStart == null
                ? RouterCheckpoint.of(iteration, router, iepoLambda(), beta(), usageTarget, landed)
                : trajectoryStart;
        c.save(file, config, fingerprint);
    }

    /** Cache usage ratio of the current router's plan at {@link #threshold()}. */
    public double cacheUsage() {
        return currentRouter().plan(threshold()).usageRatio();
    }

    private Router currentRouter() {
        return router.toRouter(config.sampler(), config.cfg(), "", threshold(), Map.of());
    }

    /** How far training has decided the router (over the routers the method trains). */
    public RouterConvergence convergence() {
        return RouterConvergence.of(router, initialLogits, config.lr());
    }

    /**
     * The trained router with provenance: trainer, steps, sampler, cfg, seed, iterations, β, lr, batch, the
     * method's own settings (proxy, C, τ, micro-batches, label drop), data, the target usage and final β where β adapted,
     * the usage at the stored threshold, the {@link RouterConvergence} ({@code convergence.*}), plus {@code extra}
     * (e.g. the git revision). With a target usage the stored threshold is landed once more on the final logits
     * ({@code threshold_landed_for_usage}; {@code landing_from_iteration} says from where training used it).
     */
    public Router result(Map<String, String> extra) {
        Map<String, String> p = new LinkedHashMap<>();
        Map<String, String> s = config.trajectorySettings();
        p.put("trainer", s.remove("method"));
        p.putAll(s);
        p.put("cfg", Double.toString(config.cfg()));
        p.put("iterations", Long.toString(iteration));
        p.put("data", dataDescription);
        p.put("model", model.config().name());
        double stored = threshold();
        if (usageTarget != null) {
            p.put("beta_final", Double.toString(usageTarget.beta()));
            stored = RouterEvaluation.landingThreshold(currentRouter(), config.targetUsage());
            p.put("threshold_landed_for_usage", Double.toString(config.targetUsage()));
            p.put("landing_from_iteration", Long.toString(Math.min(landingStart(), iteration)));
        }
        p.put("usage_at_threshold", String.format(java.util.Locale.ROOT, "%.4f", currentRouter().plan(stored).usageRatio()));
        p.putAll(convergence().metadata());
        p.putAll(extra);
        return router.toRouter(config.sampler(), config.cfg(), fingerprint, stored, p);
    }
}
