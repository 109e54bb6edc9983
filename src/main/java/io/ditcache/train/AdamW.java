package io.ditcache.train;

/**
 * AdamW (Loshchilov and Hutter) over one flat parameter group, with PyTorch's defaults and update order:
 * decoupled weight decay {@code p *= 1 - lr*wd}, then bias-corrected Adam. Each instance keeps its own step count
 * and moments, so a group that receives no gradient in an iteration is simply not stepped (as PyTorch skips
 * parameters whose grad is None) — the reason router training keeps one AdamW per step's router.
 */
public final class AdamW {
    private final float[] m;
    private final float[] v;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private long step;

    public AdamW(int size, double beta1, double beta2, double eps, double weightDecay) {
        if (size < 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0 || weightDecay < 0) {
            throw new IllegalArgumentException("AdamW: bad hyperparameters (size " + size + ", betas " + beta1 + "/" + beta2
                    + ", eps " + eps + ", weight decay " + weightDecay + ")");
        }
        this.m = new float[size];
        this.v = new float[size];
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** PyTorch defaults: betas (0.9, 0.999), eps 1e-8, with the given weight decay. */
    public static AdamW withDefaults(int size, double weightDecay) {
        return new AdamW(size, 0.9, 0.999, 1e-8, weightDecay);
    }

    /** One update of {@code params} (length {@link #size()}) from {@code grad} at learning rate {@code lr}. */
    public void step(float[] params, float[] grad, double lr) {
        step(params, 0, grad, 0, lr);
    }

    /** As {@link #step(float[], float[], double)} on {@code params[pOff, pOff+size)} with {@code grad[gOff, ...)}. */
    public void step(float[] params, int pOff, float[] grad, int gOff, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / bc1;
        double sqrtBc2 = Math.sqrt(bc2);
        float decay = (float) (1 - lr * weightDecay);
        for (int i = 0; i < m.length; i++) {
            float g = grad[gOff + i];
            m[i] = (float) (beta1 * m[i] + (1 - beta1) * g);
            v[i] = (float) (beta2 * v[i] + (1 - beta2) * g * g);
            double denom = Math.sqrt(v[i]) / sqrtBc2 + eps;
            float p = params[pOff + i] * decay;
            params[pOff + i] = (float) (p - stepSize * m[i] / denom);
        }
    }

    public int size() {
        return m.length;
    }

    /** Number of updates applied so far. */
    public long steps() {
        return step;
    }

    /** First and second moments, for checkpoints. */
    public float[] firstMoment() {
        return m;
    }

    public float[] secondMoment() {
        return v;
    }

    /** Restores state saved from {@link #firstMoment()}, {@link #secondMoment()} and {@link #steps()}. */
    public void restore(float[] firstMoment, float[] secondMoment, long steps) {
        if (firstMoment.length != m.length || secondMoment.length != v.length || steps < 0) {
            throw new IllegalArgumentException("AdamW state of size " + firstMoment.length + "/" + secondMoment.length
                    + " does not fit a group of " + m.length);
        }
        System.arraycopy(firstMoment, 0, m, 0, m.length);
        System.arraycopy(secondMoment, 0, v, 0, v.length);
        step = steps;
    }
}
