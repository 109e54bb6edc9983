package io.ditcache.train;

import io.ditcache.tensor.Tensor;
import java.util.function.BiConsumer;

/**
 * The router loss at one sampling step, as a function of that step's logits θ:
 * <pre>
 *   student = DiT(x, t, y) with every unit mixed u_k = w_k fresh_k + (1 − w_k) cached_k,  w = sigmoid(θ)
 *   L(θ)    = mseWeight · mean((student − teacher)²) + β Σ_k sigmoid(θ_k) − (γ/2) Σ_k (θ_k − logit τ)²
 * </pre>
 * over every output element (all channels, both CFG halves when guided). {@code mseWeight} is 1 for L2C and SDT and
 * IEPO's λ(t) for HarmoniCa; γ ≥ 0 is the decision term of {@link RouterTrainingConfig#decide} around the landed
 * threshold τ (0 outside the landing phase). The gradient comes from one {@link DiTTape} backward (router mode: no weight gradients)
 * and {@link TrainableRouter#logitGradient}.
 */
final class RouterObjective {
    private final DiTTape tape;
    private final Tensor x;
    private final float[] t;
    private final int[] y;
    private final float cfgScale;
    private final Tensor teacher;
    private final Tensor[] cached;
    private final double mseWeight;
    private final double beta;
    private final Decision decision;

    /** The decision term's weight γ and centre τ; {@link #NONE} outside the landing phase. */
    record Decision(double gamma, double tau) {
        static final Decision NONE = new Decision(0, 0);
    }

    /**
     * @param cfgScale NaN for the plain conditional forward (L2C), else the guidance scale of a CFG forward on
     *                 [x; x] with labels [y; null] (SDT)
     * @param teacher  the uncached model's output for the same input (and guidance)
     * @param cached   per unit, the cached tensor [forward batch, tokens, hidden] the mix reuses
     */
    RouterObjective(DiTTape tape, Tensor x, float[] t, int[] y, float cfgScale, Tensor teacher, Tensor[] cached,
                    double mseWeight, double beta, Decision decision) {
        this.tape = tape;
        this.x = x;
        this.t = t;
        this.y = y;
        this.cfgScale = cfgScale;
        this.teacher = teacher;
        this.cached = cached;
        this.mseWeight = mseWeight;
        this.beta = beta;
        this.decision = decision;
    }

    /**
     * The loss, its parts, dL/dθ and the weighted image loss's dL/dw before the sparsity term (both null unless
     * asked) and the student's output.
     */
    record Result(double loss, double mse, float[] logitGradient, float[] unitWeightGradient, Tensor student) {
    }

    /**
     * Evaluates L at {@code logits}; {@code observer} (or null) sees every unit's mixed output u (HarmoniCa's cache
     * update keeps it where w > τ).
     */
    Result evaluate(float[] logits, boolean gradient, BiConsumer<Integer, Tensor> observer) {
        float[] w = TrainableRouter.sigmoid(logits);
        UnitMix mix = UnitMix.of(w, cached);
        if (observer != null) {
            mix = mix.observing(observer);
        }
        Tensor student = Float.isNaN(cfgScale)
                ? tape.forward(x, t, y, mix, GradientRequest.ROUTER)
                : tape.forwardWithCfg(x, t, y, cfgScale, mix, GradientRequest.ROUTER);
        float[] s = student.data();
        float[] r = teacher.data();
        int n = s.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) s[i] - r[i];
            sum += d * d;
        }
        double mse = sum / n;
        double sparsity = 0;
        for (float wk : w) {
            sparsity += wk;
        }
        double spread = 0;
        if (decision.gamma() != 0) {
            double centre = Math.log(decision.tau() / (1 - decision.tau()));
            for (float l : logits) {
                spread += (l - centre) * (l - centre);
            }
        }
        double loss = mseWeight * mse + beta * sparsity - 0.5 * decision.gamma() * spread;
        float[] grad = null;
        float[] dw = null;
        if (gradient) {
            float scale = (float) (2.0 * mseWeight / n);
            float[] dOut = new float[n];
            for (int i = 0; i < n; i++) {
                dOut[i] = scale * (s[i] - r[i]);
            }
            dw = tape.backward(Tensor.of(dOut, student.shape())).unitWeights();
            grad = TrainableRouter.logitGradient(logits, dw, beta, decision.gamma(), decision.tau());
        }
        return new Result(loss, mse, grad, dw, student);
    }
}
