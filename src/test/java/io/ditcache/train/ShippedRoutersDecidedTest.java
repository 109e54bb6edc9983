package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.Router;
import io.ditcache.cache.ShippedRouters;
import org.junit.jupiter.api.Test;

/**
 * Every router shipped with the embedded model is decided (the bar of {@link RouterConvergence#decided()}): at most
 * 20% of its trained scores strictly inside (0.05, 0.95), counted here from the stored logits, and a logit travel of
 * at least 10 recorded by its training run.
 */
class ShippedRoutersDecidedTest {
    @Test
    void everyShippedRouterIsDecided() throws Exception {
        for (String name : ShippedRouters.NAMES) {
            Router r = ShippedRouters.load(name);
            RouterTrainingMethod m = r.method() == RouterTrainingMethod.L2C.inferenceRule()
                    ? RouterTrainingMethod.L2C : RouterTrainingMethod.HARMONICA;
            float[][] logits = r.logits();
            int scores = 0;
            int undecided = 0;
            for (int s = 0; s < r.steps(); s++) {
                if (!m.trains(s, r.steps())) {
                    continue;
                }
                for (float l : logits[s]) {
                    float w = TrainableRouter.sigmoid(l);
                    scores++;
                    undecided += w > RouterConvergence.LOW && w < RouterConvergence.HIGH ? 1 : 0;
                }
            }
            double share = (double) undecided / scores;
            assertTrue(share <= RouterConvergence.MAX_UNDECIDED, name + ": " + undecided + " of " + scores
                    + " trained scores undecided");
            assertEquals(share, Double.parseDouble(r.provenance().get("convergence.undecided")), 1e-4,
                    name + ": the recorded share is the stored logits' share");
            assertTrue(Double.parseDouble(r.provenance().get("convergence.travel_min")) >= RouterConvergence.MIN_TRAVEL,
                    name + ": travel " + r.provenance().get("convergence.travel_min"));
            assertEquals("true", r.provenance().get("convergence.decided"), name);
        }
    }
}
