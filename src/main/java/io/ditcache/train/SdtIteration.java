package io.ditcache.train;

import io.ditcache.diffusion.DdimSampler;
import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.model.DiT;
import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Step-Wise Denoising Training ({@code algorithms.md} C.3): iterations walk the student's own DDIM trajectory, N
 * per trajectory. Iteration {@code it} is position {@code p = it mod N} of trajectory {@code it / N}:
 * <ul>
 *   <li>p = 0 (step N-1): draw labels y ~ U{0..classes-1} and x_T ~ N(0, I) for B rows from the trajectory's own
 *       random stream, refresh IEPO's λ if due, reset the cache and run the full first step, which fills it; no
 *       optimiser step (the reference counts it in {@code max_steps}).</li>
 *   <li>p ≥ 1 (step i = N-1-p): teacher = uncached CFG forward on the current x_t; student = CFG forward mixed with
 *       the cache, w = sigmoid(θ_i); loss = λ(i) mean((teacher − student)²) + β Σ sigmoid(θ_i) over the whole 2B
 *       output; one AdamW step of router i; slots where w > τ take the (detached) mixed output; x moves by one DDIM
 *       step driven by the student's conditional half.</li>
 * </ul>
 * With K = {@code trajectories} > 1, each iteration runs K independent trajectories side by side (own labels, noise,
 * cache and λ, as the paper's 4 GPUs each run their own), and the router takes one AdamW step on the mean of their
 * logit gradients (DDP's all-reduce); trajectory j of group g draws from stream g·K + j, so K = 1 is the plain run.
 * λ ≡ 1 for {@code sdt}. For {@code harmonica} λ is refreshed at the start of a trajectory whenever a multiple of C
 * lies in (previous start, this start] (the first trajectory included): the reference's
 * {@code (epoch*N) % C == 0} when C is a multiple of N.
 */
final class SdtIteration {
    private final DiT model;
    private final DiTTape tape;
    private final DdimSampler ddim;
    private final RouterTrainingConfig config;
    private final TrainableRouter router;
    private final Trajectory[] trajectories;
    private double beta;
    private RouterObjective.Decision decision = RouterObjective.Decision.NONE;
    private double tau;
    private java.util.function.BiConsumer<Integer, float[]> unitGradients = (step, dw) -> { };
    private RouterTrainer.Listener listener = RouterTrainer.Listener.NONE;

    /** One trajectory's state: its labels, current x_t, soft cache and IEPO weights. */
    private static final class Trajectory {
        final MixedRollout rollout;
        float[] lambda;
        Tensor x;
        int[] y;

        Trajectory(MixedRollout rollout, float[] lambda) {
            this.rollout = rollout;
            this.lambda = lambda;
        }
    }

    /** @param lambda initial λ, {@code trajectories × N} values, trajectory by trajectory */
    SdtIteration(DiT model, RouterTrainingConfig config, TrainableRouter router, float[] lambda) {
        this.beta = config.beta();
        this.tau = config.tau();
        this.model = model;
        this.tape = new DiTTape(model);
        this.ddim = new DdimSampler(config.steps(), config.clipDenoised());
        this.config = config;
        this.router = router;
        this.trajectories = new Trajectory[config.trajectories()];
        for (int j = 0; j < trajectories.length; j++) {
            trajectories[j] = new Trajectory(new MixedRollout(model, ddim, (float) config.cfg(), config.tau()),
                    java.util.Arrays.copyOfRange(lambda, j * config.steps(), (j + 1) * config.steps()));
        }
    }

    /** β of the sparsity term from now on ({@link UsageTargetBeta} adapts it between iterations). */
    void setBeta(double b) {
        beta = b;
    }

    /** The decision term from now on ({@link RouterTrainer} ramps it in the landing phase). */
    void setDecision(RouterObjective.Decision d) {
        decision = d;
    }

    /** τ from now on: a cache slot is overwritten where w > τ (the trainer lands it on the inference threshold). */
    void setTau(double t) {
        tau = t;
        for (Trajectory tr : trajectories) {
            tr.rollout.setTau(t);
        }
    }

    /** Receives, for every trained step, the image loss's dL/dw of its units ({@link UsageTargetBeta} prices them). */
    void onUnitGradients(java.util.function.BiConsumer<Integer, float[]> sink) {
        unitGradients = sink;
    }

    /** Hears the progress of IEPO's λ refreshes ({@link RouterTrainer.Listener#onLambdaRefresh}). */
    void listener(RouterTrainer.Listener l) {
        listener = l;
    }

    /** Every trajectory's λ, {@code trajectories × N} values (a copy). */
    float[] lambda() {
        int n = config.steps();
        float[] all = new float[trajectories.length * n];
        for (int j = 0; j < trajectories.length; j++) {
            System.arraycopy(trajectories[j].lambda, 0, all, j * n, n);
        }
        return all;
    }

    void setLambda(float[] restored) {
        int n = config.steps();
        for (int j = 0; j < trajectories.length; j++) {
            trajectories[j].lambda = java.util.Arrays.copyOfRange(restored, j * n, (j + 1) * n);
        }
    }

    /** Whether {@code it} starts a trajectory (where the state is checkpointable). */
    boolean startsTrajectory(long it) {
        return it % config.steps() == 0;
    }

    /**
     * Runs iteration {@code it}; returns its loss (NaN at the first step), the mean over the trajectories. With
     * {@code learn} false the router is not updated (the trajectories and caches still advance): the current
     * router's loss along its own trajectories.
     */
    double run(long it, boolean learn) {
        int n = config.steps();
        int step = (int) (n - 1 - it % n);
        int k = trajectories.length;
        if (step == n - 1) {
            for (int j = 0; j < k; j++) {
                startTrajectory(trajectories[j], (it / n) * k + j, learn);
                trajectories[j].x = trajectories[j].rollout.firstStep(trajectories[j].x, trajectories[j].y);
            }
            return Double.NaN;
        }
        float[] w = TrainableRouter.sigmoid(router.row(step));
        Tensor[][] observed = new Tensor[k][router.units()];
        RouterObjective.Result[] results = new RouterObjective.Result[k];
        double loss = 0;
        for (int j = 0; j < k; j++) {
            Tensor[] seen = observed[j];
            results[j] = objective(trajectories[j], step).evaluate(router.row(step), learn, (u, out) -> seen[u] = out);
            loss += results[j].loss();
        }
        if (learn) {
            router.update(step, mean(results, true), config.lr());
            unitGradients.accept(step, mean(results, false));
        }
        for (int j = 0; j < k; j++) {
            Trajectory tr = trajectories[j];
            for (int u = 0; u < w.length; u++) {
                if (w[u] > tau) {
                    tr.rollout.cache().put(u, observed[j][u]);
                }
            }
            tr.x = ddim.step(tr.x, MixedRollout.conditionalHalf(results[j].student()), step);
        }
        return loss / k;
    }

    /** The mean over trajectories of dL/dθ ({@code logits}) or of dL/dw; the single result itself when K = 1. */
    private static float[] mean(RouterObjective.Result[] results, boolean logits) {
        if (results.length == 1) {
            return logits ? results[0].logitGradient() : results[0].unitWeightGradient();
        }
        float[] first = logits ? results[0].logitGradient() : results[0].unitWeightGradient();
        float[] m = new float[first.length];
        for (RouterObjective.Result r : results) {
            float[] g = logits ? r.logitGradient() : r.unitWeightGradient();
            for (int u = 0; u < m.length; u++) {
                m[u] += g[u];
            }
        }
        for (int u = 0; u < m.length; u++) {
            m[u] /= results.length;
        }
        return m;
    }

    /** The loss at {@code step} from trajectory 0's current x_t and cache. */
    RouterObjective objective(int step) {
        return objective(trajectories[0], step);
    }

    private RouterObjective objective(Trajectory tr, int step) {
        float[] t = tr.rollout.timesteps(step, tr.y.length);
        float cfg = (float) config.cfg();
        Tensor teacher = model.forwardWithCfg(tr.x, t, tr.y, cfg, UnitRunner.COMPUTE_ALL);
        double weight = config.method() == RouterTrainingMethod.HARMONICA ? tr.lambda[step] : 1.0;
        return new RouterObjective(tape, tr.x, t, tr.y, cfg, teacher, tr.rollout.slots(), weight, beta, decision);
    }

    private void startTrajectory(Trajectory tr, long stream, boolean learn) {
        SplittableRandom rng = Seeds.stream(config.seed(), Seeds.SDT_TRAJECTORY, stream, 0);
        int b = config.batch();
        int classes = model.config().numClasses();
        tr.y = new int[b];
        for (int i = 0; i < b; i++) {
            tr.y[i] = rng.nextInt(classes);
        }
        int c = model.config().inChannels();
        int s = model.config().inputSize();
        tr.x = new GaussianNoise(rng.nextLong()).next(b, c, s, s);
        long start = (stream / trajectories.length) * config.steps();
        if (learn && config.method() == RouterTrainingMethod.HARMONICA
                && Math.floorDiv(start, config.lambdaEvery())
                > Math.floorDiv(start - config.steps(), config.lambdaEvery())) {
            int n = config.steps();
            int before = (int) (stream % trajectories.length) * n;
            int total = trajectories.length * n;
            if (before == 0) {
                listener.onLambdaRefresh(0, total);
            }
            tr.lambda = IepoLambda.compute(config.proxy(), tr.rollout, router, tr.x, tr.y,
                    done -> listener.onLambdaRefresh(before + done, total));
        }
    }
}
