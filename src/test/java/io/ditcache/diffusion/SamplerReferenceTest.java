package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole trajectories against {@code tools/reference/diffusion_reference.py}: every intermediate state x_i must
 * match to 1e-5 of the state's largest magnitude, and the model must be called once per step, in order.
 */
class SamplerReferenceTest {
    private static final double TOLERANCE = 1e-5;

    @Test
    void ddim10() {
        check("ddim-10.txt", f -> new DdimSampler(10));
    }

    @Test
    void ddim20() {
        check("ddim-20.txt", f -> new DdimSampler(20));
    }

    @Test
    void ddpm50WithRecordedNoise() {
        check("ddpm-50.txt", f -> new DdpmSampler(SpacedSchedule.create(50), DdpmSampler.FixedVariance.SMALL,
                () -> new ReplayedNoise(f, 49)));
    }

    @Test
    void dpmSolverPP2M20() {
        check("dpmpp2m-20.txt", f -> new DpmSolverPP2M(20));
    }

    @Test
    void dpmSolverPP2MWithoutLowerOrderFinal() {
        check("dpmpp2m-plain-20.txt", f -> new DpmSolverPP2M(SpacedSchedule.create(20), false));
    }

    /** Hands out the fixture's noise draws noise.(N-1) … noise.1, in the order DDPM consumes them. */
    private static final class ReplayedNoise implements NoiseSource {
        private final DiffusionFixture fixture;
        private int next;

        ReplayedNoise(DiffusionFixture fixture, int first) {
            this.fixture = fixture;
            this.next = first;
        }

        @Override
        public void fill(float[] dst) {
            float[] z = fixture.floats("noise." + next--);
            assertEquals(z.length, dst.length);
            System.arraycopy(z, 0, dst, 0, z.length);
        }
    }

    private static void check(String resource, Function<DiffusionFixture, Sampler> make) {
        DiffusionFixture f = DiffusionFixture.load(resource);
        Sampler sampler = make.apply(f);
        int n = f.ints("steps")[0];
        assertEquals(n, sampler.steps());
        assertArrayEquals(f.ints("map"), sampler.timestepMap());
        Tensor xT = Tensor.of(f.floats("xT"), f.ints("shape"));
        float[] xTBefore = xT.data().clone();

        // Capture every state the sampler feeds the model: the state at spaced index i is the model input at i-1.
        List<float[]> inputs = new ArrayList<>();
        AnalyticDenoiser model = new AnalyticDenoiser(true);
        Denoiser recording = (x, step, timestep) -> {
            inputs.add(x.data().clone());
            return model.predict(x, step, timestep);
        };
        List<Integer> heard = new ArrayList<>();
        Tensor x0 = sampler.sample(recording, xT, (stepIndex, done, total) -> {
            assertEquals(n, total);
            assertEquals(n - stepIndex, done);
            heard.add(stepIndex);
        });

        assertArrayEquals(xTBefore, xT.data(), "the sampler must not modify xT");
        assertEquals(n, model.calls.size(), "one model call per step");
        int[] map = f.ints("map");
        for (int k = 0; k < n; k++) {
            int step = n - 1 - k;
            assertArrayEquals(new int[] {step, map[step]}, model.calls.get(k), "call " + k);
            assertEquals(step, heard.get(k));
        }
        double worst = 0;
        for (int k = 0; k < n; k++) {
            int step = n - 1 - k;
            float[] actual = k + 1 < n ? inputs.get(k + 1) : x0.data();
            worst = Math.max(worst, relativeError(f.floats("x." + step), actual));
        }
        assertArrayEquals(xT.shape(), x0.shape());
        System.out.printf("%s: worst state error %.2e of the state's max magnitude%n", resource, worst);
        assertTrue(worst <= TOLERANCE, resource + ": trajectory deviates by " + worst);
    }

    /** max|a − e| / max|e|. */
    static double relativeError(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double err = 0;
        double scale = 0;
        for (int k = 0; k < expected.length; k++) {
            err = Math.max(err, Math.abs((double) actual[k] - expected[k]));
            scale = Math.max(scale, Math.abs(expected[k]));
        }
        return err / scale;
    }
}
