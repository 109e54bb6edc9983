package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AdamWTest {
    /** Independent double-precision transcription of torch.optim.AdamW's update (PyTorch 1.13 docs, algorithm box). */
    private static double[] reference(double p, double[] grads, double lr, double wd) {
        double m = 0, v = 0;
        double[] out = new double[grads.length];
        for (int t = 1; t <= grads.length; t++) {
            double g = grads[t - 1];
            p = p - lr * wd * p;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            double mh = m / (1 - Math.pow(0.9, t));
            double vh = v / (1 - Math.pow(0.999, t));
            p = p - lr * mh / (Math.sqrt(vh) + 1e-8);
            out[t - 1] = p;
        }
        return out;
    }

    @Test
    void matchesTheAlgorithmStepByStep() {
        double[] grads = {0.5, -1.2, 3.0, 0.01, -0.7, 2.5};
        double[] expect = reference(0.8, grads, 1e-2, 0.05);
        AdamW opt = AdamW.withDefaults(1, 0.05);
        float[] p = {0.8f};
        for (int i = 0; i < grads.length; i++) {
            opt.step(p, new float[]{(float) grads[i]}, 1e-2);
            assertEquals(expect[i], p[0], 1e-6);
        }
        assertEquals(grads.length, opt.steps());
    }

    @Test
    void firstStepMovesEachParameterByAboutLr() {
        AdamW opt = AdamW.withDefaults(3, 0);
        float[] p = {0, 0, 0};
        opt.step(p, new float[]{5f, -0.001f, 0f}, 0.1);
        assertEquals(-0.1, p[0], 1e-6);
        assertEquals(0.1, p[1], 1e-4);
        assertEquals(0.0, p[2], 0.0);
    }

    @Test
    void restoreContinuesExactly() {
        AdamW a = AdamW.withDefaults(2, 0.01);
        float[] pa = {1f, -1f};
        a.step(pa, new float[]{0.3f, 0.2f}, 1e-3);
        AdamW b = AdamW.withDefaults(2, 0.01);
        b.restore(a.firstMoment().clone(), a.secondMoment().clone(), a.steps());
        float[] pb = pa.clone();
        a.step(pa, new float[]{-0.1f, 0.4f}, 1e-3);
        b.step(pb, new float[]{-0.1f, 0.4f}, 1e-3);
        assertEquals(pa[0], pb[0], 0f);
        assertEquals(pa[1], pb[1], 0f);
        assertThrows(IllegalArgumentException.class, () -> b.restore(new float[3], new float[3], 1));
    }

    @Test
    void emaFollowsTheFormula() {
        Ema ema = new Ema(0.9);
        float[] e = {1f};
        ema.update(e, new float[]{2f});
        assertEquals(1.1f, e[0], 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new Ema(1.0));
    }
}
