package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.model.DiT;
import io.ditcache.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * dL/dθ of one step's router against central finite differences of the whole training loss (frozen teacher, cache
 * and input), for L2C's plain forward and SDT's guided forward with an IEPO-like weight, with and without the
 * decision term.
 */
class RouterGradientTest {
    private static final float H = 2e-2f;

    @Test
    void l2cLossGradientMatchesFiniteDifferences() {
        DiT model = TinyRouterSetup.model();
        RouterTrainingConfig c = RouterTrainingConfig.defaults(RouterTrainingMethod.L2C, 10, 1).withBeta(1e-5);
        TrainableRouter router = TrainableRouter.initial(RouterTrainingMethod.L2C, 10, model.config().units(), 3);
        L2cIteration l2c = new L2cIteration(model, c, TinyRouterSetup.images(), router);
        TrainingImages.Batch b = TinyRouterSetup.images().draw(3, new java.util.SplittableRandom(5));
        Tensor noise = new GaussianNoise(8).next(b.x0().shape());
        int[] y = {b.labels()[0], 10, b.labels()[2]};
        check(l2c.objective(b.x0(), noise, y, 5), router.row(4));
    }

    @Test
    void sdtLossGradientMatchesFiniteDifferencesWithGuidanceAndWeight() {
        DiT model = TinyRouterSetup.model();
        RouterTrainingConfig c = RouterTrainingConfig.defaults(RouterTrainingMethod.HARMONICA, 6, 1)
                .withBatch(2, 1).withBeta(1e-5);
        TrainableRouter router = TrainableRouter.initial(RouterTrainingMethod.HARMONICA, 6, model.config().units(), 4);
        float[] lambda = {0.7f, 1.3f, 2.5f, 0.4f, 3f, 1f};
        SdtIteration sdt = new SdtIteration(model, c, router, lambda);
        sdt.run(0, false);  // full first step fills the cache
        sdt.run(1, false);  // step 4: mixed, updates part of the cache, moves x
        check(sdt.objective(3), router.row(3));
        sdt.setDecision(new RouterObjective.Decision(2e-4, 0.3));  // the landing phase's decision term
        check(sdt.objective(3), router.row(3));
    }

    private static void check(RouterObjective objective, float[] logits) {
        float[] grad = objective.evaluate(logits, true, null).logitGradient();
        double worst = 0;
        double norm = 0;
        for (int k = 0; k < logits.length; k++) {
            float keep = logits[k];
            logits[k] = keep + H;
            double up = objective.evaluate(logits, false, null).loss();
            logits[k] = keep - H;
            double down = objective.evaluate(logits, false, null).loss();
            logits[k] = keep;
            double fd = (up - down) / (2 * H);
            worst = Math.max(worst, Math.abs(fd - grad[k]));
            norm = Math.max(norm, Math.abs(fd));
        }
        assertTrue(norm > 1e-6, "degenerate check: all gradients ~0 (" + norm + ")");
        assertEquals(0, worst / norm, 2e-3, "max |fd - analytic| / max |fd|");
    }
}
