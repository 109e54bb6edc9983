package io.ditcache.train;

import java.util.Arrays;

/**
 * Trains a router to a cache usage instead of re-thresholding it afterwards, by setting β of the sparsity term
 * β Σ sigmoid(θ) as the price of computing a unit. In the logit gradient {@code (dL/dw_k + β) σ'(θ_k)} a unit
 * moves toward reuse exactly when its benefit {@code b_k = −dL/dw_k} (how much computing it lowers the image loss) is
 * below β, so β is set as a quantile of the benefits, and the quantile is steered by the usage error. After every N
 * iterations (SDT: at every trajectory start; L2C: every N iterations):
 * <pre>
 *   b̄_k  ← running mean of b_k over the times unit k's step was trained (weight {@value #BENEFIT_WEIGHT} on the newest)
 *   e    = (U − usage) / f            usage error at the router's own threshold, f = share of pairs that can reuse
 *   c    ← {@value #LEAK} c + η e     a leaky integral (|c| ≤ η |e| / (1 − {@value #LEAK}))
 *   q    = clamp(U / f + e + c, 0, 1)  the share of trained pairs priced toward reuse
 *   β    = max(quantile_q(b̄), {@value #MIN_BETA})
 * </pre>
 * Working in quantile space gets β's scale right at once (HarmoniCa's λ-weighted losses need β about 100x smaller
 * than L2C's, and models differ by orders of magnitude) and bounds the control: while usage lags behind the target
 * (logits need (distance / lr) consistent updates to cross the threshold) more units are pushed toward reuse, at
 * most all of them, and none once the target is passed. Measured on the embedded model at DDIM-20 with a 35% target
 * (lr 0.25, 42 updates per step's router): HarmoniCa ended at 41-42% and L2C at 49.6%, i.e. this overshoots, and
 * overshoot does not heal (a unit at the clamp barely moves back: σ' there is 40x smaller than at 0 while Adam's
 * second moment still remembers the early gradients). Capping the push at 10% of the pairs landed within 7 points
 * on the test model but left HarmoniCa at 1.9% usage for a 25% target after 400 of 840 iterations on the embedded
 * one: with β inside the dense part of the benefits, the units near it get gradients of both signs and random-walk.
 * What lands the router on U is therefore not β alone: {@link RouterTrainer} trains the last quarter of the run at
 * the threshold at which the plan reuses exactly U (HarmoniCa's rollout refreshing its cache by it), after resetting
 * the routers' AdamW moments so saturated units can return, and stores that threshold; β keeps being priced here,
 * now at a usage that is on target, so it settles at the target quantile. These measurements are in
 * {@code bench/results/pareto-ddim20/}. Earlier: pricing at the plain target
 * quantile (q = U / f) left HarmoniCa at 11% usage for a 35% target after 70% of its iterations, since units near
 * the price get gradients of both signs and barely move; a pure dual ascent on log β (tried first, on the test
 * model) overshot to all-reuse while the logits lagged, and Adam's second moment, filled while β was large, then
 * kept them there once β fell.
 */
public final class UsageTargetBeta {
    public static final double MIN_BETA = 1e-12;
    public static final double MAX_BETA = 1.0;
    static final double BENEFIT_WEIGHT = 0.5;
    static final double LEAK = 0.9;

    private final double target;
    private final double rate;
    private final RouterTrainingMethod method;
    private final float[][] benefit;
    private double correction;
    private double beta;

    /** @param initial β until the first update (the method's default or {@code --beta}) */
    public UsageTargetBeta(double target, double rate, double initial, RouterTrainingMethod method, int steps, int units) {
        if (!(target > 0 && target < 1) || !(rate > 0) || !(initial > 0)) {
            throw new IllegalArgumentException("target usage " + target + ", rate " + rate + ", initial beta " + initial);
        }
        this.target = target;
        this.rate = rate;
        this.method = method;
        this.beta = clamp(initial);
        this.benefit = new float[steps][units];
        for (float[] row : benefit) {
            Arrays.fill(row, Float.NaN);
        }
    }

    /** The current β. */
    public double beta() {
        return beta;
    }

    /** Records the image-loss gradient dL/dw of {@code step}'s units from one trained iteration. */
    public void observe(int step, float[] unitWeightGradient) {
        float[] row = benefit[step];
        for (int k = 0; k < row.length; k++) {
            float b = -unitWeightGradient[k];
            row[k] = Float.isNaN(row[k]) ? b : (float) ((1 - BENEFIT_WEIGHT) * row[k] + BENEFIT_WEIGHT * b);
        }
    }

    /** Sets β from the benefits seen so far and the measured {@code usage}; returns the new β. */
    public double update(double usage) {
        int n = benefit.length;
        int units = benefit[0].length;
        float[] seen = new float[n * units];
        int m = 0;
        int trainable = 0;
        for (int s = 0; s < n; s++) {
            if (!method.trains(s, n)) {
                continue;
            }
            trainable += units;
            for (float b : benefit[s]) {
                if (!Float.isNaN(b)) {
                    seen[m++] = b;
                }
            }
        }
        if (m == 0) {
            return beta;
        }
        Arrays.sort(seen, 0, m);
        double share = trainable / (double) (n * units);
        double error = (target - usage) / share;
        correction = LEAK * correction + rate * error;
        double q = Math.max(0, Math.min(1, Math.round(target * n * units) / (double) trainable + error + correction));
        int reuse = (int) Math.round(q * m);
        double price;
        if (reuse <= 0) {
            price = seen[0] / 2;
        } else if (reuse >= m) {
            price = seen[m - 1] * 2;
        } else {
            price = 0.5 * ((double) seen[reuse - 1] + seen[reuse]);
        }
        beta = clamp(Math.max(price, MIN_BETA));
        return beta;
    }

    /** The state a checkpoint needs: benefits per (step, unit) (NaN: never seen), the integral c and β. */
    float[][] benefits() {
        float[][] c = new float[benefit.length][];
        for (int s = 0; s < c.length; s++) {
            c[s] = benefit[s].clone();
        }
        return c;
    }

    double correction() {
        return correction;
    }

    void restore(float[][] savedBenefits, double savedCorrection, double savedBeta) {
        for (int s = 0; s < benefit.length; s++) {
            System.arraycopy(savedBenefits[s], 0, benefit[s], 0, benefit[s].length);
        }
        correction = savedCorrection;
        beta = clamp(savedBeta);
    }

    private static double clamp(double b) {
        return Math.max(MIN_BETA, Math.min(MAX_BETA, b));
    }
}
