package io.ditcache.train;

import io.ditcache.cache.Router;
import io.ditcache.diffusion.GaussianNoise;
import java.util.Map;

/**
 * The trainable state of a cache router: logits {@code θ [steps][2*depth]}, scores {@code sigmoid(θ)}, one
 * {@link AdamW} per step's router (lr as given, betas 0.9/0.999, eps 1e-8, weight decay 0), so a router that is not
 * sampled in an iteration keeps its moments and step count, as PyTorch skips parameters whose grad is None.
 * <ul>
 *   <li>Initialisation: every logit ~ N(0, 1) from {@code GaussianNoise(seed)}, row 0 first; for HarmoniCa/SDT the
 *       first sampling step's row (index N-1) is then fixed at {@value #FIRST_STEP_LOGIT} (sigmoid ≈ 0.9933).</li>
 *   <li>Routers the method does not train ({@link RouterTrainingMethod#trains}) are never stepped: L2C's odd rows
 *       keep their random initialisation, as in the released checkpoints.</li>
 *   <li>After every step the logits are clamped to [{@value #CLAMP_LOW}, {@value #CLAMP_HIGH}].</li>
 * </ul>
 */
public final class TrainableRouter {
    /** HarmoniCa's fixed logit of the first sampling step's router ({@code Router(first=True)}). */
    public static final float FIRST_STEP_LOGIT = 5f;
    public static final float CLAMP_LOW = -5f;
    public static final float CLAMP_HIGH = 5f;

    private final RouterTrainingMethod method;
    private final float[][] logits;
    private final AdamW[] optimizers;
    private final long[] earlierUpdates;

    private TrainableRouter(RouterTrainingMethod method, float[][] logits) {
        this.method = method;
        this.logits = logits;
        this.optimizers = new AdamW[logits.length];
        this.earlierUpdates = new long[logits.length];
        for (int s = 0; s < logits.length; s++) {
            optimizers[s] = AdamW.withDefaults(logits[s].length, 0.0);
        }
    }

    /** Fresh routers for {@code steps} sampling steps and {@code units} cache units, initialised as described above. */
    public static TrainableRouter initial(RouterTrainingMethod method, int steps, int units, long seed) {
        if (steps < 2 || units < 2 || units % 2 != 0) {
            throw new IllegalArgumentException("router training needs >= 2 steps and an even unit count >= 2, got "
                    + steps + " steps, " + units + " units");
        }
        GaussianNoise noise = new GaussianNoise(seed);
        float[][] l = new float[steps][units];
        for (float[] row : l) {
            noise.fill(row);
        }
        if (method.stepWise()) {
            java.util.Arrays.fill(l[steps - 1], FIRST_STEP_LOGIT);
        }
        return new TrainableRouter(method, l);
    }

    /** Continues training from a saved router's logits (fresh optimiser state). */
    public static TrainableRouter from(Router router, RouterTrainingMethod method) {
        if (router.method() != method.inferenceRule()) {
            throw new IllegalArgumentException("router method " + router.method().id() + " cannot be trained with "
                    + method.id() + " (inference rule " + method.inferenceRule().id() + ")");
        }
        return new TrainableRouter(method, router.logits());
    }

    public RouterTrainingMethod method() {
        return method;
    }

    public int steps() {
        return logits.length;
    }

    public int units() {
        return logits[0].length;
    }

    /** The logits of {@code step}'s router, live (not a copy): the trainer reads them, {@link #update} writes them. */
    public float[] row(int step) {
        return logits[step];
    }

    /** A deep copy of all logits. */
    public float[][] logits() {
        float[][] c = new float[logits.length][];
        for (int s = 0; s < logits.length; s++) {
            c[s] = logits[s].clone();
        }
        return c;
    }

    public AdamW optimizer(int step) {
        return optimizers[step];
    }

    /** sigmoid of each logit in {@code row}, in float (the mixing weights w). */
    public static float[] sigmoid(float[] row) {
        float[] w = new float[row.length];
        for (int k = 0; k < row.length; k++) {
            w[k] = sigmoid(row[k]);
        }
        return w;
    }

    public static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /**
     * dL/dθ_k = (dL/dw_k + β) σ'(θ_k) with σ' = σ(1 − σ), for L = f(w) + β Σ_k σ(θ_k) and w = σ(θ): the
     * {@code unitWeights} of a {@code DiTTape} backward plus the sparsity term.
     */
    public static float[] logitGradient(float[] logitsRow, float[] unitWeights, double beta) {
        return logitGradient(logitsRow, unitWeights, beta, 0, 0);
    }

    /**
     * dL/dθ_k = (dL/dw_k + β) σ'(θ_k) − γ (θ_k − logit τ) for L = f(w) + β Σ_k w_k − (γ/2) Σ_k (θ_k − logit τ)²:
     * the decision term of {@link RouterTrainingConfig#decide} added ({@code gamma} = 0: the plain objective). It acts
     * on the logits, not the scores, so its push grows as a unit leaves τ while the image loss's fades with σ'.
     */
    public static float[] logitGradient(float[] logitsRow, float[] unitWeights, double beta, double gamma, double tau) {
        float[] g = new float[logitsRow.length];
        double centre = gamma == 0 ? 0 : Math.log(tau / (1 - tau));
        for (int k = 0; k < g.length; k++) {
            double s = sigmoid(logitsRow[k]);
            g[k] = (float) ((unitWeights[k] + beta) * s * (1 - s) - gamma * (logitsRow[k] - centre));
        }
        return g;
    }

    /** One AdamW step of {@code step}'s router with gradient {@code grad}, then the clamp. */
    public void update(int step, float[] grad, double lr) {
        if (!method.trains(step, steps())) {
            throw new IllegalStateException(method.id() + " does not train the router of step " + step
                    + " (it is a forced full step)");
        }
        float[] row = logits[step];
        optimizers[step].step(row, grad, lr);
        for (int k = 0; k < row.length; k++) {
            row[k] = Math.max(CLAMP_LOW, Math.min(CLAMP_HIGH, row[k]));
        }
    }

    /** Forgets every router's AdamW moments and step count: the next update is a fresh start (lr x sign of the gradient). */
    void resetOptimizers() {
        for (int s = 0; s < optimizers.length; s++) {
            AdamW o = optimizers[s];
            earlierUpdates[s] += o.steps();
            o.restore(new float[o.size()], new float[o.size()], 0);
        }
    }

    /** AdamW updates {@code step}'s router has taken in all, across {@link #resetOptimizers() resets}. */
    public long updates(int step) {
        return earlierUpdates[step] + optimizers[step].steps();
    }

    /** Per step, the updates taken before the last reset (a copy; checkpointed). */
    long[] earlierUpdates() {
        return earlierUpdates.clone();
    }

    /** Overwrites logits and optimiser state (checkpoint restore). */
    void restore(float[][] savedLogits, float[][] m, float[][] v, long[] adamSteps, long[] savedEarlierUpdates) {
        for (int s = 0; s < logits.length; s++) {
            earlierUpdates[s] = savedEarlierUpdates[s];
            System.arraycopy(savedLogits[s], 0, logits[s], 0, logits[s].length);
            optimizers[s].restore(m[s], v[s], adamSteps[s]);
        }
    }

    /** The immutable router for sampling (method from {@link RouterTrainingMethod#inferenceRule}). */
    public Router toRouter(String sampler, double cfg, String modelFingerprint, double threshold,
                           Map<String, String> provenance) {
        return new Router(method.inferenceRule(), logits, sampler, cfg, modelFingerprint, threshold, provenance);
    }
}
