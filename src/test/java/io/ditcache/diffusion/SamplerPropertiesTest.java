package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invariants of the samplers that need no reference: solver order, exact limits, factory, errors, noise. */
class SamplerPropertiesTest {
    private static final NoiseSchedule BASE = NoiseSchedule.linear();
    /** Standard deviation of the toy data distribution N(0, S²). */
    private static final double S = 0.5;

    /** The exact ε-prediction for data ~ N(0, S²): E[ε | x_t] = σ x / (ᾱ S² + 1 − ᾱ), in double then float. */
    private static final Denoiser GAUSSIAN = (x, step, timestep) -> {
        double ac = BASE.alphaCumprod(timestep);
        double k = Math.sqrt(1 - ac) / (ac * S * S + 1 - ac);
        float[] xs = x.data();
        float[] eps = new float[xs.length];
        for (int j = 0; j < xs.length; j++) {
            eps[j] = (float) (k * xs[j]);
        }
        return Tensor.of(eps, x.shape());
    };

    private static Tensor noise(long seed, int... shape) {
        return new GaussianNoise(seed).next(shape);
    }

    /** The probability-flow ODE keeps x_t/√(ᾱ S² + 1 − ᾱ) constant for Gaussian data: its exact end point. */
    private static float[] exactOdeEndpoint(Tensor xT, SpacedSchedule s) {
        double ac = s.alphaCumprod(s.steps() - 1);
        double scale = S / Math.sqrt(ac * S * S + 1 - ac);
        float[] out = new float[xT.numel()];
        for (int j = 0; j < out.length; j++) {
            out[j] = (float) (scale * xT.data()[j]);
        }
        return out;
    }

    private static double odeError(Sampler sampler, Tensor xT) {
        float[] exact = exactOdeEndpoint(xT, sampler.schedule());
        return SamplerReferenceTest.relativeError(exact, sampler.sample(GAUSSIAN, xT).data());
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 20, 50})
    void dpmSolverIsMoreAccurateThanDdimOnTheExactOde(int steps) {
        Tensor xT = noise(1, 2, 4, 4, 4);
        double ddimError = odeError(new DdimSampler(steps), xT);
        double dpmError = odeError(new DpmSolverPP2M(steps), xT);
        System.out.printf("exact-ODE error at %d steps: ddim %.2e, dpm++2m %.2e%n", steps, ddimError, dpmError);
        assertTrue(ddimError > 1e-2, "the test problem must have a visible discretisation error");
        // Measured with the float64 model of the reference script: 10 steps 1.3x, 20 steps 3x, 50 steps 19x.
        double gain = steps == 10 ? 1.2 : steps == 20 ? 2.5 : 10;
        assertTrue(dpmError * gain < ddimError, "2M must beat DDIM by " + gain + "x: " + dpmError + " vs " + ddimError);
    }

    @Test
    void plainAlgorithmConvergesAtSecondOrder() {
        // Error ratios from 250 to 1000 steps: about 4 for first order, 16 for second order.
        Tensor xT = noise(1, 1, 4, 4, 4);
        SpacedSchedule s250 = SpacedSchedule.create(250);
        SpacedSchedule s1000 = SpacedSchedule.create(1000);
        double ddimRatio = odeError(new DdimSampler(s250), xT) / odeError(new DdimSampler(s1000), xT);
        double dpmRatio = odeError(new DpmSolverPP2M(s250, false), xT) / odeError(new DpmSolverPP2M(s1000, false), xT);
        System.out.printf("error ratio 250 -> 1000 steps: ddim %.1f, plain dpm++2m %.1f%n", ddimRatio, dpmRatio);
        assertEquals(4, ddimRatio, 1);
        assertTrue(dpmRatio > 10, "second-order convergence expected, got ratio " + dpmRatio);
    }

    @Test
    void secondOrderStepsAreTheMiddleOnes() {
        DpmSolverPP2M dpm = new DpmSolverPP2M(10);
        DpmSolverPP2M plain = new DpmSolverPP2M(SpacedSchedule.create(10), false);
        for (int i = 0; i < 10; i++) {
            assertEquals(i >= 2 && i <= 8, dpm.isSecondOrder(i), "step " + i);
            assertEquals(i >= 1 && i <= 8, plain.isSecondOrder(i), "plain step " + i);
        }
    }

    @Test
    void dpmSolverWithTwoStepsIsDdim() {
        // Both steps of a 2-step run are first order (first step, lower-order final), i.e. DDIM.
        Tensor xT = noise(2, 1, 4, 3, 3);
        AnalyticDenoiser model = new AnalyticDenoiser(true);
        float[] ddim = new DdimSampler(2).sample(model, xT).data();
        float[] dpm = new DpmSolverPP2M(2).sample(model, xT).data();
        assertTrue(SamplerReferenceTest.relativeError(ddim, dpm) < 1e-6);
    }

    @Test
    void singleStepSamplersAllReturnTheDataPrediction() {
        Tensor xT = noise(3, 1, 4, 2, 2);
        AnalyticDenoiser model = new AnalyticDenoiser(true);
        float[] ddim = new DdimSampler(1).sample(model, xT).data();
        assertArrayEquals(ddim, new DdpmSampler(1, 7).sample(model, xT).data());
        assertArrayEquals(ddim, new DpmSolverPP2M(1).sample(model, xT).data());
        assertEquals(1, model.calls.size() / 3);
        assertArrayEquals(new int[] {0, 0}, model.calls.get(0));
    }

    @Test
    void ddpmSamplesTheDataDistribution() {
        // 4096 independent pixels through DDPM-250 with the exact ε and fixed small variance: std ≈ S.
        Tensor x = new DdpmSampler(250, 11).sample(GAUSSIAN, noise(4, 1, 1, 64, 64));
        double sumSq = 0;
        for (float v : x.data()) {
            sumSq += v * v;
        }
        double std = Math.sqrt(sumSq / x.numel());
        System.out.printf("DDPM-250 sample std %.4f (data %.2f)%n", std, S);
        assertEquals(S, std, 0.03);
    }

    @Test
    void ddpmIsDeterministicPerSeedAndUsesItsVariance() {
        Tensor xT = noise(5, 1, 4, 3, 3);
        float[] a = new DdpmSampler(20, 1).sample(GAUSSIAN, xT).data();
        assertArrayEquals(a, new DdpmSampler(20, 1).sample(GAUSSIAN, xT).data());
        DdpmSampler reused = new DdpmSampler(20, 1);
        reused.sample(GAUSSIAN, xT);
        assertArrayEquals(a, reused.sample(GAUSSIAN, xT).data(), "each sample() restarts the noise stream");
        assertFalse(java.util.Arrays.equals(a, new DdpmSampler(20, 2).sample(GAUSSIAN, xT).data()));
        DdpmSampler large = new DdpmSampler(SpacedSchedule.create(20), DdpmSampler.FixedVariance.LARGE,
                () -> SampleSeeds.samplerRows(1, 0, xT.dim(0)));
        assertFalse(java.util.Arrays.equals(a, large.sample(GAUSSIAN, xT).data()));
        // Learned range with v = −1 everywhere is the small variance, v = +1 the large one.
        assertArrayEquals(a, new DdpmSampler(20, 1).sample(withConstantV(-1f), xT).data());
        assertArrayEquals(large.sample(GAUSSIAN, xT).data(),
                new DdpmSampler(20, 1).sample(withConstantV(1f), xT).data());
    }

    private static Denoiser withConstantV(float v) {
        return (x, step, timestep) -> {
            float[] eps = GAUSSIAN.predict(x, step, timestep).data();
            int block = eps.length / x.dim(0);
            int[] shape = x.shape();
            shape[1] *= 2;
            float[] out = new float[2 * eps.length];
            for (int b = 0; b < x.dim(0); b++) {
                System.arraycopy(eps, b * block, out, 2 * b * block, block);
                java.util.Arrays.fill(out, 2 * b * block + block, 2 * (b + 1) * block, v);
            }
            return Tensor.of(out, shape);
        };
    }

    @Test
    void ddimStepIsTheSamplerUpdate() {
        // The public single-step API (used by router training) is what the loop applies.
        DdimSampler ddim = new DdimSampler(10);
        Tensor x = noise(6, 1, 4, 2, 2);
        AnalyticDenoiser model = new AnalyticDenoiser(true);
        for (int i : ddim.stepOrder()) {
            x = ddim.step(x, model.predict(x, i, ddim.timestepMap()[i]), i);
        }
        assertArrayEquals(x.data(), ddim.sample(model, noise(6, 1, 4, 2, 2)).data());
    }

    @Test
    void factoryNamesAndErrors() {
        assertInstanceOf(DdimSampler.class, Samplers.create("ddim", 20));
        assertInstanceOf(DdpmSampler.class, Samplers.create("DDPM", 250));
        assertInstanceOf(DpmSolverPP2M.class, Samplers.create("dpm++2m", 20));
        assertInstanceOf(DpmSolverPP2M.class, Samplers.create("dpmpp2m", 20));
        Sampler s = Samplers.create("ddim", 50);
        assertEquals(50, s.steps());
        assertEquals("ddim", s.name());
        assertArrayEquals(Respacing.spaceTimesteps(1000, 50), s.timestepMap());
        int[] order = s.stepOrder();
        assertEquals(49, order[0]);
        assertEquals(0, order[49]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Samplers.create("euler", 20));
        assertTrue(e.getMessage().contains("euler") && e.getMessage().contains("ddim"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Samplers.create("ddim", 1001));
    }

    @Test
    void wrongOutputShapeIsReported() {
        Denoiser bad = (x, step, timestep) -> Tensor.zeros(x.dim(0), 3 * x.dim(1), x.dim(2), x.dim(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DdimSampler(5).sample(bad, Tensor.zeros(1, 4, 2, 2)));
        assertTrue(e.getMessage().contains("[1, 12, 2, 2]") && e.getMessage().contains("[1, 4, 2, 2]"), e.getMessage());
    }

    @Test
    void gaussianNoiseIsSeededAndStandard() {
        float[] a = new GaussianNoise(42).next(1_000_000).data();
        assertArrayEquals(a, new GaussianNoise(42).next(1_000_000).data());
        assertFalse(java.util.Arrays.equals(a, new GaussianNoise(43).next(1_000_000).data()));
        double sum = 0;
        double sumSq = 0;
        double sumQuart = 0;
        for (float v : a) {
            sum += v;
            sumSq += v * v;
            sumQuart += (double) v * v * v * v;
        }
        int n = a.length;
        assertEquals(0, sum / n, 0.005);   // 5 standard errors
        assertEquals(1, sumSq / n, 0.007);
        assertEquals(3, sumQuart / n, 0.05); // Gaussian kurtosis
    }

    @Test
    void clipSuffixClampsPredictedX0AndRoundTripsItsName() {
        Denoiser wild = (x, step, timestep) -> {
            Tensor out = Tensor.zeros(x.shape());
            java.util.Arrays.fill(out.data(), -3f); // eps far from the data: x0 predictions leave [-1, 1]
            return out;
        };
        Tensor xT = new GaussianNoise(5).next(2, 1, 4, 4);
        for (String name : new String[]{"ddim", "ddpm", "dpm++2m"}) {
            Sampler plain = Samplers.create(name, 10, 1);
            Sampler clipped = Samplers.create(name + "+clip", 10, 1);
            assertEquals(name + "+clip", clipped.name());
            assertEquals(name, plain.name());
            Tensor a = plain.sample(wild, xT);
            Tensor b = clipped.sample(wild, xT);
            assertTrue(a.maxAbs() > 1.5f, name + ": the unclipped sample leaves [-1, 1]: " + a.maxAbs());
            assertTrue(b.maxAbs() <= 1f + 1e-6f, name + ": the clipped sample stays in [-1, 1]: " + b.maxAbs());
        }
    }
}
