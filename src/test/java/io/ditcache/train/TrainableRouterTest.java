package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.Router;
import io.ditcache.cache.RouterFile;
import io.ditcache.cache.RouterMethod;
import io.ditcache.diffusion.GaussianNoise;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainableRouterTest {
    @TempDir
    Path dir;

    @Test
    void initialisationIsSeededRandnWithHarmonicasFirstStepFixedAtFive() {
        TrainableRouter l2c = TrainableRouter.initial(RouterTrainingMethod.L2C, 4, 6, 9);
        GaussianNoise g = new GaussianNoise(9);
        for (int s = 0; s < 4; s++) {
            assertArrayEquals(g.next(6).data(), l2c.row(s));
        }
        TrainableRouter h = TrainableRouter.initial(RouterTrainingMethod.HARMONICA, 4, 6, 9);
        assertArrayEquals(l2c.row(0), h.row(0));
        for (float v : h.row(3)) {
            assertEquals(5f, v);
        }
        assertEquals(5f, TrainableRouter.initial(RouterTrainingMethod.SDT, 4, 6, 9).row(3)[2]);
    }

    @Test
    void logitGradientIsChainRuleThroughTheSigmoidPlusSparsity() {
        float[] theta = {-2f, 0f, 1.5f};
        float[] dw = {0.3f, -1f, 2f};
        double beta = 0.25;
        float[] g = TrainableRouter.logitGradient(theta, dw, beta);
        for (int k = 0; k < 3; k++) {
            double h = 1e-4;
            double sp = 1 / (1 + Math.exp(-(theta[k] + h)));
            double sm = 1 / (1 + Math.exp(-(theta[k] - h)));
            double fd = (dw[k] + beta) * (sp - sm) / (2 * h); // L = dw·σ + β σ, linear in σ
            assertEquals(fd, g[k], 1e-6);
        }
    }

    @Test
    void decisionTermPushesAwayFromTheThreshold() {
        float[] theta = {-2f, 0f, 1.5f, -0.4f};
        float[] dw = {0.3f, -1f, 2f, 0f};
        double beta = 0.25;
        double gamma = 0.7;
        double tau = 0.3;
        float[] g = TrainableRouter.logitGradient(theta, dw, beta, gamma, tau);
        for (int k = 0; k < theta.length; k++) {
            double h = 1e-4;
            double up = loss(theta[k] + h, dw[k], beta, gamma, tau);
            double down = loss(theta[k] - h, dw[k], beta, gamma, tau);
            assertEquals((up - down) / (2 * h), g[k], 1e-5);
        }
        // with no image-loss gradient and no sparsity, a score above tau is pushed up, one below it down
        float[] none = TrainableRouter.logitGradient(new float[] {0f, -2f}, new float[2], 0, 1, 0.3);
        assertTrue(none[0] < 0 && none[1] > 0, java.util.Arrays.toString(none));
        assertArrayEquals(TrainableRouter.logitGradient(theta, dw, beta), TrainableRouter.logitGradient(theta, dw, beta, 0, tau));
    }

    /** L = dw·σ + β σ − (γ/2) (θ − logit τ)² of one logit. */
    private static double loss(double theta, double dw, double beta, double gamma, double tau) {
        double s = 1 / (1 + Math.exp(-theta));
        double d = theta - Math.log(tau / (1 - tau));
        return dw * s + beta * s - 0.5 * gamma * d * d;
    }

    @Test
    void updateStepsOneRoutersAdamAndClamps() {
        TrainableRouter r = TrainableRouter.initial(RouterTrainingMethod.L2C, 4, 2, 1);
        float[] before = r.row(1).clone();
        r.update(2, new float[]{-1f, 1f}, 100);
        assertEquals(5f, r.row(2)[0]);
        assertEquals(-5f, r.row(2)[1]);
        assertEquals(1, r.optimizer(2).steps());
        assertEquals(0, r.optimizer(0).steps());
        assertArrayEquals(before, r.row(1));
    }

    @Test
    void forcedFullStepsAreNeverTrained() {
        TrainableRouter l2c = TrainableRouter.initial(RouterTrainingMethod.L2C, 4, 2, 1);
        assertThrows(IllegalStateException.class, () -> l2c.update(1, new float[2], 1e-3));
        assertThrows(IllegalStateException.class, () -> l2c.update(3, new float[2], 1e-3));
        TrainableRouter h = TrainableRouter.initial(RouterTrainingMethod.HARMONICA, 4, 2, 1);
        assertThrows(IllegalStateException.class, () -> h.update(3, new float[2], 1e-3));
        h.update(1, new float[]{1, 1}, 1e-3);
    }

    @Test
    void convertsToACacheRouterThatSurvivesTheFile() throws Exception {
        TrainableRouter sdt = TrainableRouter.initial(RouterTrainingMethod.SDT, 5, 4, 2);
        Router r = sdt.toRouter("ddim", 1.5, "", 0.1, Map.of("trainer", "sdt"));
        assertEquals(RouterMethod.HARMONICA, r.method());
        Path f = dir.resolve("r.safetensors");
        RouterFile.save(f, r);
        Router back = RouterFile.load(f);
        assertTrue(Files.exists(f));
        for (int s = 0; s < 5; s++) {
            assertArrayEquals(sdt.row(s), back.logits()[s]);
        }
        assertEquals("sdt", back.provenance().get("trainer"));
        TrainableRouter again = TrainableRouter.from(back, RouterTrainingMethod.HARMONICA);
        assertArrayEquals(sdt.row(3), again.row(3));
        assertThrows(IllegalArgumentException.class, () -> TrainableRouter.from(back, RouterTrainingMethod.L2C));
    }
}
