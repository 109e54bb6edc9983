package io.ditcache.cache;

import io.ditcache.tensor.Tensor;

/**
 * {@code fbcache:THRESHOLD}: adaptive, training-free first-block caching (after ParaAttention's First Block
 * Cache), decided step by step during the forward pass:
 * <ol>
 *   <li>both units of block 0 (units 0 and 1) are always computed;</li>
 *   <li>the relative L1 change of block 0's MLP output (unit 1), {@code sum|m - m_ref| / sum|m_ref|} over the
 *       whole forward batch, is compared with {@code m_ref}, its value at the last <em>fully computed</em> step;</li>
 *   <li>if it is below THRESHOLD, every remaining unit (2 .. 2*depth-1) is reused for this step; otherwise all
 *       are computed and {@code m_ref} becomes this step's value.</li>
 * </ol>
 * The first step of a trajectory has no reference and computes everything. Because the reference is only
 * refreshed on full steps, slow drift accumulates until it crosses the threshold and forces a refresh.
 *
 * @param threshold relative L1 threshold, >= 0 (0 never reuses)
 */
public record FirstBlockCache(double threshold) implements CachePolicy {
    public FirstBlockCache {
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("fbcache:THRESHOLD needs a finite threshold >= 0, got " + threshold);
        }
    }

    @Override
    public String spec() {
        return "fbcache:" + threshold;
    }

    @Override
    public CacheSchedule start(int steps, int units) {
        return new CacheSchedule() {
            private Tensor reference;
            private boolean reuseRest;

            @Override
            public boolean compute(int step, int unit) {
                return unit < 2 || !reuseRest;
            }

            @Override
            public void computed(int step, int unit, Tensor output) {
                if (unit != 1) {
                    return;
                }
                reuseRest = reference != null && relativeL1(output, reference) < threshold;
                if (!reuseRest) {
                    reference = output;
                }
            }
        };
    }

    /** {@code sum|a - ref| / sum|ref|}, in double; 0 when both are zero, infinite when only ref is. */
    static double relativeL1(Tensor a, Tensor ref) {
        float[] x = a.data();
        float[] r = ref.data();
        if (x.length != r.length) {
            return Double.POSITIVE_INFINITY;
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < x.length; i++) {
            diff += Math.abs(x[i] - r[i]);
            norm += Math.abs(r[i]);
        }
        if (norm == 0) {
            return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return diff / norm;
    }
}
