package io.ditcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.Router;
import io.ditcache.cache.RouterPolicy;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import org.junit.jupiter.api.Test;

/**
 * The model and routers that ship in the jar belong together: every shipped router loads for the shipped weights
 * (same fingerprint, depth and step count), so `demo` and `--cache router:...` work on a fresh clone. Retraining the
 * model without retraining the routers fails here, not in a user's hands.
 */
class EmbeddedAssetsTest {
    @Test
    void everyShippedRouterFitsTheShippedModel() throws Exception {
        DiT model = Models.from(Models.EMBEDDED).loadUnpacked();
        assertEquals(DiTConfig.FASHION_MNIST.name(), model.config().name());
        assertTrue(model.stateDict().metadata().getOrDefault("ditcache.provenance", "").startsWith("train-model"),
                "the weights say how they were made");
        for (String method : new String[] {"harmonica", "l2c"}) {
            for (int steps : new int[] {10, 20, 50}) {
                // The method's set picks the router of the step count; checkFits throws if made for other weights.
                RouterPolicy policy = (RouterPolicy) Cache.router(method).forSteps(steps);
                policy.checkFits(model, steps);
                Router r = policy.router();
                assertEquals(method, r.method().id(), method + " " + steps);
                assertEquals(steps, r.steps());
                assertEquals(SamplerSettings.EMBEDDED.sampler(), r.sampler(), method + " " + steps);
                assertEquals(SamplerSettings.EMBEDDED.cfg(), r.cfg(), 1e-9, method + " " + steps);
                assertTrue(!r.modelFingerprint().isEmpty(), "a shipped router names its model");
            }
        }
    }
}
