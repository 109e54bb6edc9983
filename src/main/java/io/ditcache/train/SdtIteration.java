package io.ditcache.train;

import io.ditcache.diffusion.DdimSampler;
import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTTape;
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
    private final MixedRollout rollout;
    private float[] lambda;
    private Tensor x;
    private int[] y;

    SdtIteration(DiT model, RouterTrainingConfig config, TrainableRouter router, float[] lambda) {
        this.model = model;
        this.tape = new DiTTape(model);
        this.ddim = new DdimSampler(config.steps(), config.clipDenoised());
        this.config = config;
        this.router = router;
        this.rollout = new MixedRollout(model, ddim, (float) config.cfg(), config.tau());
        this.lambda = lambda;
    }

    float[] lambda() {
        return lambda;
    }

    void setLambda(float[] restored) {
        lambda = restored;
    }

    /** Whether {@code it} starts a trajectory (where the state is checkpointable). */
    boolean startsTrajectory(long it) {
        return it % config.steps() == 0;
    }

    /**
     * Runs iteration {@code it}; returns its loss (NaN at the first step). With {@code learn} false the router is not
     * updated (the trajectory and cache still advance): the current router's loss along its own trajectory.
     */
    double run(long it, boolean learn) {
        int n = config.steps();
        int step = (int) (n - 1 - it % n);
        if (step == n - 1) {
            startTrajectory(it / n, learn);
            x = rollout.firstStep(x, y);
            return Double.NaN;
        }
        Tensor[] observed = new Tensor[router.units()];
        RouterObjective.Result r = objective(step).evaluate(router.row(step), learn, (k, u) -> observed[k] = u);
        float[] w = TrainableRouter.sigmoid(router.row(step));
        if (learn) {
            router.update(step, r.logitGradient(), config.lr());
        }
        for (int k = 0; k < w.length; k++) {
            if (w[k] > config.tau()) {
                rollout.cache().put(k, observed[k]);
            }
        }
        x = ddim.step(x, MixedRollout.conditionalHalf(r.student()), step);
        return r.loss();
    }

    /** The loss at {@code step} from the current x_t and cache; the observer records each unit's mixed output. */
    RouterObjective objective(int step) {
        float[] t = rollout.timesteps(step, y.length);
        float cfg = (float) config.cfg();
        Tensor teacher = model.forwardWithCfg(x, t, y, cfg, UnitRunner.COMPUTE_ALL);
        double weight = config.method() == RouterTrainingMethod.HARMONICA ? lambda[step] : 1.0;
        return new RouterObjective(tape, x, t, y, cfg, teacher, rollout.slots(), weight, config.beta());
    }

    private void startTrajectory(long trajectory, boolean learn) {
        SplittableRandom rng = Seeds.stream(config.seed(), Seeds.SDT_TRAJECTORY, trajectory, 0);
        int b = config.batch();
        int classes = model.config().numClasses();
        y = new int[b];
        for (int i = 0; i < b; i++) {
            y[i] = rng.nextInt(classes);
        }
        int c = model.config().inChannels();
        int s = model.config().inputSize();
        x = new GaussianNoise(rng.nextLong()).next(b, c, s, s);
        long start = trajectory * config.steps();
        if (learn && config.method() == RouterTrainingMethod.HARMONICA
                && Math.floorDiv(start, config.lambdaEvery())
                > Math.floorDiv(start - config.steps(), config.lambdaEvery())) {
            lambda = IepoLambda.compute(config.proxy(), rollout, router, x, y);
        }
    }
}
