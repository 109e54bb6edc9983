package io.ditcache.train;

import io.ditcache.diffusion.DdimSampler;
import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.diffusion.SpacedSchedule;
import io.ditcache.model.DiT;
import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One Learning-to-Cache iteration ({@code algorithms.md} B, {@code router_training_losses}), per micro-batch:
 * <pre>
 *   k ~ U{0 .. ⌊N/2⌋-1}, i = 2k+1 (a full step);  labels dropped to null with probability p (one mask for all passes)
 *   x_i     = q_sample(x0, i)
 *   x_{i-1} = DDIM step from the plain conditional full forward at i, which records every unit (a, m per block)
 *   teacher = full forward at (x_{i-1}, map[i-1]);  student = forward mixed with the recording, w = sigmoid(θ_{i-1})
 *   loss    = mean((teacher − student)²) + β Σ sigmoid(θ_{i-1})
 * </pre>
 * The micro-batches emulate DDP ranks: each draws its own i, and a router's gradient is the sum over the
 * micro-batches that used it divided by their total number. Every router that received a gradient takes one
 * AdamW step. No guidance (L2C trains the conditional model; dropped labels train the null class).
 */
final class L2cIteration {
    private final DiT model;
    private final DiTTape tape;
    private final DdimSampler ddim;
    private final SpacedSchedule schedule;
    private final RouterTrainingConfig config;
    private final TrainingImages data;
    private final TrainableRouter router;
    private double beta;
    private RouterObjective.Decision decision = RouterObjective.Decision.NONE;
    private java.util.function.BiConsumer<Integer, float[]> unitGradients = (step, dw) -> { };

    L2cIteration(DiT model, RouterTrainingConfig config, TrainingImages data, TrainableRouter router) {
        this.beta = config.beta();
        this.model = model;
        this.tape = new DiTTape(model);
        this.ddim = new DdimSampler(config.steps(), config.clipDenoised());
        this.schedule = ddim.schedule();
        this.config = config;
        this.data = data;
        this.router = router;
    }

    /** β of the sparsity term from now on ({@link UsageTargetBeta} adapts it between iterations). */
    void setBeta(double b) {
        beta = b;
    }

    /** The decision term from now on ({@link RouterTrainer} ramps it in the landing phase). */
    void setDecision(RouterObjective.Decision d) {
        decision = d;
    }

    /** Receives, for every trained step, the image loss's dL/dw of its units ({@link UsageTargetBeta} prices them). */
    void onUnitGradients(java.util.function.BiConsumer<Integer, float[]> sink) {
        unitGradients = sink;
    }

    /**
     * Runs iteration {@code it}; returns the loss averaged over the micro-batches. With {@code learn} false nothing is
     * updated (the loss of the current router on iteration {@code it}'s draws).
     */
    double run(long it, boolean learn) {
        int n = config.steps();
        int units = router.units();
        float[][] grad = new float[n][];
        double loss = 0;
        for (int mb = 0; mb < config.microBatches(); mb++) {
            SplittableRandom rng = Seeds.stream(config.seed(), Seeds.L2C_BATCH, it, mb);
            int i = 2 * rng.nextInt(n / 2) + 1;
            TrainingImages.Batch batch = data.draw(config.batch(), rng);
            int[] y = batch.labels().clone();
            for (int b = 0; b < y.length; b++) {
                if (rng.nextDouble() < config.labelDrop()) {
                    y[b] = model.config().numClasses();
                }
            }
            Tensor noise = new GaussianNoise(rng.nextLong()).next(batch.x0().shape());
            RouterObjective.Result r = objective(batch.x0(), noise, y, i).evaluate(router.row(i - 1), learn, null);
            loss += r.loss();
            if (!learn) {
                continue;
            }
            unitGradients.accept(i - 1, r.unitWeightGradient());
            if (grad[i - 1] == null) {
                grad[i - 1] = new float[units];
            }
            for (int k = 0; k < units; k++) {
                grad[i - 1][k] += r.logitGradient()[k];
            }
        }
        for (int s = 0; s < n; s++) {
            if (grad[s] != null) {
                for (int k = 0; k < units; k++) {
                    grad[s][k] /= config.microBatches();
                }
                router.update(s, grad[s], config.lr());
            }
        }
        return loss / config.microBatches();
    }

    /** The loss at cache step i-1 for clean samples x0, noise and (dropped) labels y: the no-grad part done. */
    RouterObjective objective(Tensor x0, Tensor noise, int[] y, int i) {
        Tensor xi = schedule.qSample(x0, i, noise);
        Tensor[] recorded = new Tensor[router.units()];
        UnitRunner record = (k, fresh) -> {
            Tensor u = fresh.get();
            recorded[k] = u;
            return u;
        };
        Tensor out = model.forward(xi, timesteps(i, y.length), y, record);
        Tensor xPrev = ddim.step(xi, out, i);
        float[] t = timesteps(i - 1, y.length);
        Tensor teacher = model.forward(xPrev, t, y);
        return new RouterObjective(tape, xPrev, t, y, Float.NaN, teacher, recorded, 1.0, beta, decision);
    }

    private float[] timesteps(int step, int batch) {
        float[] t = new float[batch];
        Arrays.fill(t, schedule.timestep(step));
        return t;
    }
}
