package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.Router;
import io.ditcache.model.DiT;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training to a cache usage (β by dual ascent) on the tiny trained model: it lands near the target and resumes exactly. */
class UsageTargetTrainingTest {
    private static final int N = 6;

    @TempDir
    Path dir;

    private static RouterTrainingConfig config(RouterTrainingMethod m, long iters, double target) {
        return RouterTrainingConfig.defaults(m, N, iters).withBatch(4, 1).withLr(0.3).withBeta(1e-7).withSeed(5)
                .withIepo(IepoProxy.PAPER, 4L * N).withTargetUsage(target, RouterTrainingConfig.DEFAULT_BETA_RATE);
    }

    @Test
    void betaIsTheBenefitQuantileThatReusesTheTargetShare() {
        // SDT at 4 steps x 4 units: step 3 (the first sampling step) is never trained, so 12 pairs are trainable.
        UsageTargetBeta b = new UsageTargetBeta(0.25, 2.0, 1e-6, RouterTrainingMethod.SDT, 4, 4);
        assertEquals(1e-6, b.update(0.25), 0);                     // nothing observed yet: unchanged
        for (int s = 0; s < 3; s++) {
            float[] dw = new float[4];
            for (int k = 0; k < 4; k++) {
                dw[k] = -(s * 4 + k + 1) * 1e-3f;                 // benefits 1e-3 .. 12e-3
            }
            b.observe(s, dw);
        }
        // reuse round(0.25 * 16) = 4 of 12 trainable pairs: the price sits between the 4th and 5th benefit
        assertEquals(0.5 * (4e-3f + 5e-3f), b.update(0.25), 1e-9);
        // too little reuse measured: error (0.25 - 0.05) / (12/16 trainable) pushes the quantile up, plus the integral
        UsageTargetBeta c = new UsageTargetBeta(0.25, 0.1, 1e-6, RouterTrainingMethod.SDT, 4, 4);
        for (int s = 0; s < 3; s++) {
            float[] dw = new float[4];
            for (int k = 0; k < 4; k++) {
                dw[k] = -(s * 4 + k + 1) * 1e-3f;
            }
            c.observe(s, dw);
        }
        double error = 0.2 / 0.75;
        double q = 4.0 / 12 + error + 0.1 * error;
        int reuse = (int) Math.round(q * 12);                    // 8 of 12
        assertEquals(0.5 * (reuse * 1e-3f + (reuse + 1) * 1e-3f), c.update(0.05), 1e-9);
        // a new observation moves the running mean halfway
        b.observe(0, new float[] {-1f, -1f, -1f, -1f});
        assertTrue(b.update(0.25) > 5e-3);
        assertThrows(IllegalArgumentException.class, () -> new UsageTargetBeta(1.0, 2.0, 1e-6, RouterTrainingMethod.SDT, 4, 4));
        assertThrows(IllegalArgumentException.class,
                () -> config(RouterTrainingMethod.SDT, 1, 0.3).withBeta(0.0)); // 0 cannot be scaled
    }

    /**
     * The target steers the usage and the landing phase puts the stored threshold where the plan reuses exactly the
     * target (one pair of slack for ties), a threshold the last quarter of training used: HarmoniCa's rollout
     * refreshed its cache by it.
     */
    @Test
    void theRouterLandsOnTheTargetAtItsOwnThreshold() throws Exception {
        DiT model = TinyRouterSetup.model();
        for (RouterTrainingMethod m : new RouterTrainingMethod[] {RouterTrainingMethod.SDT, RouterTrainingMethod.L2C}) {
            double[] targets = {0.15, 0.4};
            double[] usage = new double[targets.length];
            for (int i = 0; i < targets.length; i++) {
                RouterTrainer t = new RouterTrainer(model, config(m, 20L * N, targets[i]), TinyRouterSetup.images());
                t.train(null, RouterTrainer.Listener.NONE);
                Router r = t.result(Map.of());
                usage[i] = r.plan(r.defaultThreshold()).usageRatio();
                int pairs = N * r.units();
                assertEquals(targets[i], usage[i], 1.0 / pairs + 1e-9, m.id() + ": target " + targets[i]);
                assertEquals(t.cacheUsage(), usage[i], 2.0 / pairs, "the threshold trained with in the landing phase"
                        + " is where the final one is");
                assertTrue(t.threshold() != r.defaultThreshold() || t.threshold() != 0.1, "landed");
                assertEquals(Long.toString(t.landingStart()), r.provenance().get("landing_from_iteration"));
                if (m == RouterTrainingMethod.SDT) {
                    // landing reset the optimisers; the travel still counts every update: one per trajectory
                    assertTrue(t.router().optimizer(0).steps() < 20, "reset at landing");
                    assertEquals(20, t.router().updates(0));
                }
                assertEquals(String.format(java.util.Locale.ROOT, "%.4f", usage[i]), r.provenance().get("usage_at_threshold"));
                assertEquals(Double.toString(t.beta()), r.provenance().get("beta_final"));
                assertEquals(Double.toString(targets[i]), r.provenance().get("target_usage"));
                assertTrue(r.provenance().containsKey("convergence.undecided"));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> config(RouterTrainingMethod.L2C, 1, 0.6),
                "l2c reuses at most its cache steps: half of them");
    }

    /**
     * The decision term leaves the plain objective's interior optima: the same run with κ = 1000 ends decided (at
     * most 20% of its scores undecided, the bar of a shipped router; fewer than half as many as without the term)
     * and still on its target usage.
     */
    @Test
    void theDecisionTermDecidesTheRouterOnItsTarget() throws Exception {
        DiT model = TinyRouterSetup.model();
        for (RouterTrainingMethod m : new RouterTrainingMethod[] {RouterTrainingMethod.SDT, RouterTrainingMethod.L2C}) {
            RouterTrainingConfig plain = config(m, 40L * N, 0.3).withLr(0.6).withDecision(0.5, 0);
            RouterTrainer off = new RouterTrainer(model, plain, TinyRouterSetup.images());
            off.train(null, RouterTrainer.Listener.NONE);
            RouterTrainer on = new RouterTrainer(model, plain.withDecision(0.5, 1000), TinyRouterSetup.images());
            on.train(null, RouterTrainer.Listener.NONE);
            Router r = on.result(Map.of());
            int pairs = N * r.units();
            assertEquals(0.3, r.plan(r.defaultThreshold()).usageRatio(), 1.0 / pairs + 1e-9, m.id() + ": on target");
            double undecidedOff = off.convergence().undecided();
            double undecidedOn = on.convergence().undecided();
            assertTrue(undecidedOn <= RouterConvergence.MAX_UNDECIDED && undecidedOn < 0.5 * undecidedOff, m.id() + ": undecided " + undecidedOn + " with the term, "
                    + undecidedOff + " without");
            assertEquals("1000.0", r.provenance().get("decide"));
            assertEquals("0.5", r.provenance().get("landing"));
        }
        assertThrows(IllegalArgumentException.class,
                () -> RouterTrainingConfig.defaults(RouterTrainingMethod.L2C, N, 1).withDecision(0.25, 5),
                "the decision term needs a landed threshold");
        assertThrows(IllegalArgumentException.class, () -> config(RouterTrainingMethod.L2C, 1, 0.3).withDecision(1.0, 0));
    }

    @Test
    void landingThresholdSplitsTheScoresAtTheTarget() {
        // HarmoniCa at 3 steps x 2 units: step 2 is always full, so 4 routed pairs with logits -3, -1, 1, 3
        Router r = new Router(io.ditcache.cache.RouterMethod.HARMONICA, new float[][] {{-3, 1}, {3, -1}, {0, 0}},
                "ddim", 1.5, "", 0.1, Map.of());
        assertEquals(0.5, RouterEvaluation.landingThreshold(r, 2 / 6.0), 1e-12);              // logit midpoint of -1 and 1
        assertEquals(1 / (1 + Math.exp(2)), RouterEvaluation.landingThreshold(r, 1 / 6.0), 1e-12); // of -3 and -1
        assertEquals(1 / (1 + Math.exp(3.5)), RouterEvaluation.landingThreshold(r, 0.01), 1e-12);  // below all
        assertEquals(1 / (1 + Math.exp(-3.5)), RouterEvaluation.landingThreshold(r, 5 / 6.0), 1e-12);  // above all
        for (int reuse = 0; reuse <= 4; reuse++) {
            double t = RouterEvaluation.landingThreshold(r, reuse / 6.0);
            assertEquals(reuse / 6.0, r.plan(t).usageRatio(), 1e-12, "reuse " + reuse);
        }
    }

    @Test
    void resumeWithAnAdaptingBetaIsBitExact() throws Exception {
        DiT model = TinyRouterSetup.model();
        for (RouterTrainingMethod m : new RouterTrainingMethod[] {RouterTrainingMethod.HARMONICA, RouterTrainingMethod.L2C}) {
            long k = 3L * N + (m == RouterTrainingMethod.L2C ? 2 : 3); // SDT: stops mid-trajectory
            RouterTrainingConfig decided = config(m, 2 * k, 0.3).withDecision(0.25, 10);  // the decision term resumes too
            RouterTrainer straight = new RouterTrainer(model, decided, TinyRouterSetup.images());
            straight.train(null, RouterTrainer.Listener.NONE);
            assertNotEquals(1e-7, straight.beta(), "beta adapted");

            Path ckpt = dir.resolve(m.id() + ".ckpt.safetensors");
            RouterTrainer killed = new RouterTrainer(model, decided, TinyRouterSetup.images());
            long kill = (long) Math.ceil(1.8 * k) + (m == RouterTrainingMethod.L2C ? 1 : 0); // L2C: between β updates
            for (long i = 0; i < kill; i++) {   // into the landing phase (the last quarter), then "killed"
                killed.step();
            }
            assertNotEquals(0.1, killed.threshold(), "landed before the kill");
            killed.saveCheckpoint(ckpt);
            RouterTrainer resumed = new RouterTrainer(model, decided, TinyRouterSetup.images());
            resumed.resumeFrom(ckpt);
            resumed.train(null, RouterTrainer.Listener.NONE);
            assertEquals(straight.beta(), resumed.beta(), 0);
            for (int s = 0; s < N; s++) {
                assertArrayEquals(straight.router().row(s), resumed.router().row(s), m.id() + " step " + s);
            }
            RouterTrainer otherTarget = new RouterTrainer(model, decided.withTargetUsage(0.2, RouterTrainingConfig.DEFAULT_BETA_RATE),
                    TinyRouterSetup.images());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> otherTarget.resumeFrom(ckpt));
            assertTrue(e.getMessage().contains("target_usage"), e.getMessage());
        }
    }

    @Test
    void multiTrajectoryBatchesAverageKTrajectoriesAndResumeExactly() throws Exception {
        DiT model = TinyRouterSetup.model();
        RouterTrainingConfig two = RouterTrainingConfig.defaults(RouterTrainingMethod.HARMONICA, N, 2L * N + 2)
                .withBatch(2, 1).withLr(0.1).withBeta(1e-6).withSeed(3).withIepo(IepoProxy.PAPER, N).withTrajectories(2);
        RouterTrainer straight = new RouterTrainer(model, two, null);
        straight.train(null, RouterTrainer.Listener.NONE);
        assertEquals(2 * N, straight.iepoLambda().length);   // one λ per trajectory and step
        RouterTrainer single = new RouterTrainer(model, two.withTrajectories(1), null);
        single.train(null, RouterTrainer.Listener.NONE);
        boolean differs = false;
        for (int s = 0; s < N - 1; s++) {
            differs |= !java.util.Arrays.equals(single.router().row(s), straight.router().row(s));
        }
        assertTrue(differs, "a second trajectory changes the averaged gradients");

        Path ckpt = dir.resolve("k2.ckpt.safetensors");
        new RouterTrainer(model, two.withIterations(N + 1).withCheckpointEvery(1), null).train(ckpt, RouterTrainer.Listener.NONE);
        RouterTrainer resumed = new RouterTrainer(model, two, null);
        resumed.resumeFrom(ckpt);
        resumed.train(null, RouterTrainer.Listener.NONE);
        for (int s = 0; s < N; s++) {
            assertArrayEquals(straight.router().row(s), resumed.router().row(s), "step " + s);
        }
        assertArrayEquals(straight.iepoLambda(), resumed.iepoLambda());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RouterTrainer(model, two.withTrajectories(1).withIterations(3L * N), null).resumeFrom(ckpt));
        assertTrue(e.getMessage().contains("trajectories"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RouterTrainingConfig.defaults(RouterTrainingMethod.L2C, N, 1).withTrajectories(2));
    }
}
