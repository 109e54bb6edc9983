package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.Router;
import io.ditcache.model.DiT;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Router training on the tiny trained model: it learns, β trades quality for reuse, and resumes exactly. */
class RouterTrainingTest {
    private static final int N = 6;
    private static final long EVAL = 1_000_000L;

    @TempDir
    Path dir;

    private static RouterTrainingConfig config(RouterTrainingMethod m, long iters, double beta) {
        return RouterTrainingConfig.defaults(m, N, iters).withBatch(4, 1).withLr(0.1).withBeta(beta).withSeed(11)
                .withIepo(IepoProxy.CUMULATIVE, 2L * N);
    }

    @Test
    void iepoLambdaRefreshesReportEveryGeneration() throws java.io.IOException {
        // Untrained weights do: only the calls are counted. C = 2N: refreshes at trajectory starts 0 and 2N of 3.
        DiT model = io.ditcache.model.DiTInitializer.initialize(TinyRouterSetup.CONFIG, 1);
        RouterTrainingConfig c = config(RouterTrainingMethod.HARMONICA, 3L * N, 1e-6).withBatch(1, 1).withTrajectories(2);
        java.util.List<String> calls = new java.util.ArrayList<>();
        new RouterTrainer(model, c, null).train(null, new RouterTrainer.Listener() {
            @Override
            public void onIteration(long done, long total, double loss, RouterTrainer trainer) {
                calls.add("it" + done);
            }

            @Override
            public void onLambdaRefresh(int done, int total) {
                calls.add(done + "/" + total);
            }
        });
        java.util.List<String> refresh = java.util.stream.IntStream.rangeClosed(0, 2 * N).mapToObj(g -> g + "/" + 2 * N)
                .toList();
        java.util.List<String> expected = new java.util.ArrayList<>(refresh);
        for (long it = 1; it <= 3L * N; it++) {
            expected.add("it" + it);
            if (it == 2L * N) {
                expected.addAll(refresh);
            }
        }
        assertEquals(expected, calls);
    }

    @Test
    void l2cLowersItsObjectiveAndTrainsOnlyCacheStepRouters() {
        DiT model = TinyRouterSetup.model();
        RouterTrainingConfig c = config(RouterTrainingMethod.L2C, 0, 1e-6);
        TrainableRouter router = TrainableRouter.initial(c.method(), N, model.config().units(), c.seed());
        float[][] initial = router.logits();
        L2cIteration l2c = new L2cIteration(model, c, TinyRouterSetup.images(), router);
        double before = l2cLoss(l2c);
        for (long it = 0; it < 40; it++) {
            l2c.run(it, true);
        }
        double after = l2cLoss(l2c);
        assertTrue(after < 0.7 * before, "L2C loss " + before + " -> " + after);
        for (int s = 0; s < N; s++) {
            if (s % 2 == 1) {
                assertArrayEquals(initial[s], router.row(s), "full step " + s + " must keep its initial logits");
                assertEquals(0, router.optimizer(s).steps());
            } else {
                assertFalse(Arrays.equals(initial[s], router.row(s)), "cache step " + s + " was not trained");
            }
        }
    }

    private static double l2cLoss(L2cIteration l2c) {
        double s = 0;
        for (long it = EVAL; it < EVAL + 12; it++) {
            s += l2c.run(it, false);
        }
        return s;
    }

    @Test
    void sdtAndHarmonicaLowerTheirObjectiveAndKeepTheFirstStepRouterFixed() {
        DiT model = TinyRouterSetup.model();
        for (RouterTrainingMethod m : new RouterTrainingMethod[]{RouterTrainingMethod.SDT, RouterTrainingMethod.HARMONICA}) {
            RouterTrainingConfig c = config(m, 0, 1e-6);
            TrainableRouter router = TrainableRouter.initial(m, N, model.config().units(), c.seed());
            float[] lambda = new float[N];
            Arrays.fill(lambda, 1f);
            SdtIteration sdt = new SdtIteration(model, c, router, lambda);
            // The objective with λ ≡ 1 along fixed evaluation trajectories, before and after.
            SdtIteration probe = new SdtIteration(model, config(RouterTrainingMethod.SDT, 0, 1e-6), router, lambda.clone());
            double before = sdtLoss(probe);
            for (long it = 0; it < 6L * N; it++) {
                sdt.run(it, true);
            }
            double after = sdtLoss(probe);
            assertTrue(after < 0.7 * before, m.id() + " loss " + before + " -> " + after);
            for (float v : router.row(N - 1)) {
                assertEquals(TrainableRouter.FIRST_STEP_LOGIT, v);
            }
            assertEquals(0, router.optimizer(N - 1).steps());
            assertEquals(6, router.optimizer(0).steps());
            if (m == RouterTrainingMethod.HARMONICA) {
                assertNotEquals(1f, sdt.lambda()[0], "IEPO λ was never refreshed");
            }
        }
    }

    private static double sdtLoss(SdtIteration probe) {
        double s = 0;
        for (long it = EVAL * N; it < EVAL * N + 2L * N; it++) {
            double l = probe.run(it, false);
            s += Double.isNaN(l) ? 0 : l;
        }
        return s;
    }

    @Test
    void cacheUsageRisesWithBeta() throws Exception {
        DiT model = TinyRouterSetup.model();
        for (RouterTrainingMethod m : RouterTrainingMethod.values()) {
            double[] betas = {0, 3e-4, 1e-2};
            double[] usage = new double[betas.length];
            for (int b = 0; b < betas.length; b++) {
                RouterTrainer t = new RouterTrainer(model, config(m, 6L * N, betas[b]).withLr(0.5), TinyRouterSetup.images());
                t.train(null, RouterTrainer.Listener.NONE);
                usage[b] = t.cacheUsage();
            }
            assertTrue(usage[0] <= usage[1] && usage[1] <= usage[2] && usage[2] >= usage[0] + 0.3,
                    m.id() + ": cache usage at β " + Arrays.toString(betas) + " = " + Arrays.toString(usage));
        }
    }

    @Test
    void resumedRunsEndBitIdenticalToStraightOnes() throws Exception {
        DiT model = TinyRouterSetup.model();
        for (RouterTrainingMethod m : RouterTrainingMethod.values()) {
            long k = m == RouterTrainingMethod.L2C ? 5 : N + 3; // SDT: stops mid-trajectory
            RouterTrainer straight = new RouterTrainer(model, config(m, 2 * k, 1e-4), TinyRouterSetup.images());
            straight.train(null, RouterTrainer.Listener.NONE);

            Path ckpt = dir.resolve(m.id() + ".ckpt.safetensors");
            RouterTrainer first = new RouterTrainer(model, config(m, k, 1e-4).withCheckpointEvery(2),
                    TinyRouterSetup.images());
            first.train(ckpt, RouterTrainer.Listener.NONE);
            RouterTrainer resumed = new RouterTrainer(model, config(m, 2 * k, 1e-4), TinyRouterSetup.images());
            resumed.resumeFrom(ckpt);
            assertEquals(m == RouterTrainingMethod.L2C ? k : N, resumed.iteration());
            resumed.train(ckpt, RouterTrainer.Listener.NONE);

            assertEquals(2 * k, resumed.iteration());
            for (int s = 0; s < N; s++) {
                assertArrayEquals(straight.router().row(s), resumed.router().row(s), m.id() + " step " + s);
                assertArrayEquals(straight.router().optimizer(s).firstMoment(), resumed.router().optimizer(s).firstMoment());
                assertArrayEquals(straight.router().optimizer(s).secondMoment(), resumed.router().optimizer(s).secondMoment());
                assertEquals(straight.router().optimizer(s).steps(), resumed.router().optimizer(s).steps());
            }
            assertArrayEquals(straight.iepoLambda(), resumed.iepoLambda());
            Router r = resumed.result(Map.of("git", "abc"));
            assertEquals(m.inferenceRule(), r.method());
            assertEquals(m.id(), r.provenance().get("trainer"));
            assertEquals(Long.toString(2 * k), r.provenance().get("iterations"));
            assertEquals("abc", r.provenance().get("git"));
            assertTrue(r.modelFingerprint().length() > 0);
        }
    }

    @Test
    void resumeRefusesOtherSettings() throws Exception {
        DiT model = TinyRouterSetup.model();
        Path ckpt = dir.resolve("x.ckpt.safetensors");
        new RouterTrainer(model, config(RouterTrainingMethod.SDT, N, 1e-4), null).train(ckpt, RouterTrainer.Listener.NONE);
        RouterTrainer other = new RouterTrainer(model, config(RouterTrainingMethod.SDT, 2 * N, 2e-4), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.resumeFrom(ckpt));
        assertTrue(e.getMessage().contains("beta"), e.getMessage());
    }

    @Test
    void trainingIsDeterministicUnderTheSeed() throws Exception {
        DiT model = TinyRouterSetup.model();
        Router a = RouterTrainer.train(model, config(RouterTrainingMethod.HARMONICA, 2L * N, 1e-4), null);
        Router b = RouterTrainer.train(model, config(RouterTrainingMethod.HARMONICA, 2L * N, 1e-4), null);
        Router c = RouterTrainer.train(model, config(RouterTrainingMethod.HARMONICA, 2L * N, 1e-4).withSeed(12), null);
        assertTrue(Arrays.deepEquals(a.logits(), b.logits()));
        assertFalse(Arrays.deepEquals(a.logits(), c.logits()));
    }
}
