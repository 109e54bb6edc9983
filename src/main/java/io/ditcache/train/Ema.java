package io.ditcache.train;

/**
 * Exponential moving average of weights, {@code ema = decay*ema + (1-decay)*w}, as DiT's {@code update_ema}
 * (decay 0.9999 there). Sampling uses the EMA weights.
 */
public final class Ema {
    private final double decay;

    public Ema(double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
        }
        this.decay = decay;
    }

    public void update(float[] ema, float[] weights) {
        if (ema.length != weights.length) {
            throw new IllegalArgumentException("EMA of " + ema.length + " values cannot follow " + weights.length);
        }
        float a = (float) decay;
        float b = (float) (1 - decay);
        for (int i = 0; i < ema.length; i++) {
            ema[i] = a * ema[i] + b * weights[i];
        }
    }

    public double decay() {
        return decay;
    }
}
