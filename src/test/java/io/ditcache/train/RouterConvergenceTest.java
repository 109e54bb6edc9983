package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Convergence measures against values computed here from the logits directly. */
class RouterConvergenceTest {
    private static final int STEPS = 6;
    private static final int UNITS = 8;

    @Test
    void aFreshRouterIsUndecidedHasNotTravelledAndCorrelatesFullyWithItsInit() {
        TrainableRouter r = TrainableRouter.initial(RouterTrainingMethod.HARMONICA, STEPS, UNITS, 3);
        float[][] init = r.logits();
        RouterConvergence c = RouterConvergence.of(r, init, 0.1);
        int undecided = 0;
        for (int s = 0; s < STEPS - 1; s++) {        // the first sampling step (index N-1) is not trained
            for (float l : init[s]) {
                double w = 1 / (1 + Math.exp(-l));
                undecided += w > 0.05 && w < 0.95 ? 1 : 0;
            }
        }
        assertEquals((double) undecided / ((STEPS - 1) * UNITS), c.undecided(), 1e-12);
        assertEquals(0, c.travelMin());
        for (int s = 0; s < STEPS - 1; s++) {
            assertEquals(1.0, c.initialCorrelation()[s], 1e-9);
        }
        assertTrue(Double.isNaN(c.initialCorrelation()[STEPS - 1]));
        assertFalse(c.decided());
        assertNotNull(c.warning());
    }

    @Test
    void routersPushedToTheClampAreDecidedOnceEveryRouterHasTravelled() {
        TrainableRouter r = TrainableRouter.initial(RouterTrainingMethod.L2C, STEPS, UNITS, 4);
        float[][] init = r.logits();
        float[] grad = new float[UNITS];
        for (int k = 0; k < UNITS; k++) {
            grad[k] = k % 2 == 0 ? 1 : -1;          // even units toward reuse, odd toward compute
        }
        double lr = 0.25;
        int trained = 0;
        for (int s = 0; s < STEPS; s++) {
            if (!RouterTrainingMethod.L2C.trains(s, STEPS)) {
                continue;
            }
            trained++;
            for (int i = 0; i < 40 + s; i++) {
                r.update(s, grad, lr);
            }
        }
        RouterConvergence c = RouterConvergence.of(r, init, lr);
        assertEquals(0, c.undecided(), 1e-12);      // every trained logit at -5 or 5
        assertEquals(lr * 40, c.travelMin(), 1e-12); // step 0 got the fewest updates
        double mean = 0;
        for (int s = 0; s < STEPS; s += 2) {
            mean += lr * (40 + s);
        }
        assertEquals(mean / trained, c.travelMean(), 1e-12);
        assertTrue(c.decided(), c.summary());
        assertNull(c.warning());
        double expected = RouterConvergence.pearson(r.row(0), init[0]);
        assertEquals(expected, c.initialCorrelation()[0], 0);
        assertTrue(Double.isNaN(c.initialCorrelation()[1]));  // a full step: not trained
        assertEquals("true", c.metadata().get("convergence.decided"));
        assertEquals(STEPS, c.metadata().get("convergence.initial_correlation_per_step").split(",").length);
    }

    @Test
    void pearsonMatchesTheTextbookFormula() {
        float[] a = {1, 2, 3, 4};
        float[] b = {2, 4, 6, 8.5f};
        double ma = 2.5;
        double mb = Arrays.asList(2.0, 4.0, 6.0, 8.5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < 4; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        assertEquals(sab / Math.sqrt(saa * sbb), RouterConvergence.pearson(a, b), 1e-12);
        assertTrue(Double.isNaN(RouterConvergence.pearson(a, new float[] {1, 1, 1, 1})));
    }
}
