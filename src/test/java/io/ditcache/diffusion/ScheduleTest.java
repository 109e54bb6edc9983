package io.ditcache.diffusion;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleTest {
    private static final DiffusionFixture REF = DiffusionFixture.load("schedule.txt");

    @Test
    void linearScheduleMatchesNumpyBitForBit() {
        NoiseSchedule s = NoiseSchedule.linear();
        assertEquals(1000, s.numTimesteps());
        assertArrayEquals(REF.doubles("base.betas"), s.betas());
        assertArrayEquals(REF.doubles("base.alphas_cumprod"), s.alphasCumprod());
        assertEquals(1e-4, s.beta(0));
        assertEquals(0.02, s.beta(999));
    }

    @Test
    void respacingMapsFromTheSpec() {
        int[] ten = new int[10];
        for (int i = 0; i < 10; i++) {
            ten[i] = 111 * i;
        }
        assertArrayEquals(ten, Respacing.spaceTimesteps(1000, 10));
        assertArrayEquals(new int[] {0, 53, 105, 158, 210, 263, 315, 368, 421, 473, 526, 578, 631, 684, 736, 789, 841,
            894, 946, 999}, Respacing.spaceTimesteps(1000, 20));
        assertArrayEquals(new int[] {0, 20, 41, 61, 82, 102, 122, 143, 163, 183, 204, 224, 245, 265, 285, 306, 326, 347,
            367, 387, 408, 428, 449, 469, 489, 510, 530, 550, 571, 591, 612, 632, 652, 673, 693, 714, 734, 754, 775,
            795, 816, 836, 856, 877, 897, 917, 938, 958, 979, 999}, Respacing.spaceTimesteps(1000, 50));
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 10, 19, 20, 50, 250, 1000})
    void respacingMatchesPython(int n) {
        assertArrayEquals(REF.ints("map." + n), Respacing.spaceTimesteps(1000, n));
    }

    @Test
    void respacingRoundsHalfToEven() {
        // stride 166.5: the ties 166.5, 499.5 and 832.5 round to the even neighbour, as Python's round does.
        assertArrayEquals(new int[] {0, 166, 333, 500, 666, 832, 999}, Respacing.spaceTimesteps(1000, 7));
    }

    @Test
    void respacingEdgeCases() {
        int[] all = Respacing.spaceTimesteps(1000, 1000);
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, all[i]);
        }
        assertArrayEquals(new int[] {0}, Respacing.spaceTimesteps(1000, 1));
        assertArrayEquals(new int[] {0, 999}, Respacing.spaceTimesteps(1000, 2));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> Respacing.spaceTimesteps(1000, 1001));
        assertTrue(tooMany.getMessage().contains("1001"), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Respacing.spaceTimesteps(1000, 0));
        assertThrows(IllegalArgumentException.class, () -> SpacedSchedule.create(-3));
    }

    @Test
    void spacedScheduleMatchesPython() {
        SpacedSchedule s = SpacedSchedule.create(20);
        assertArrayEquals(REF.ints("map.20"), s.timestepMap());
        check("betas", s::beta);
        check("alphas_cumprod", s::alphaCumprod);
        check("alphas_cumprod_prev", s::alphaCumprodPrev);
        check("sqrt_recip_alphas_cumprod", s::sqrtRecipAlphaCumprod);
        check("sqrt_recipm1_alphas_cumprod", s::sqrtRecipM1AlphaCumprod);
        check("posterior_variance", s::posteriorVariance);
        check("posterior_log_variance_clipped", s::posteriorLogVarianceClipped);
        check("posterior_mean_coef1", s::posteriorMeanCoef1);
        check("posterior_mean_coef2", s::posteriorMeanCoef2);
    }

    private static void check(String key, IntToDoubleFunction actual) {
        double[] expected = REF.doubles("spaced20." + key);
        for (int i = 0; i < expected.length; i++) {
            double a = actual.applyAsDouble(i);
            assertEquals(expected[i], a, 1e-13 * Math.abs(expected[i]), key + "[" + i + "]");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 10, 50, 250, 1000})
    void spacedAlphasFollowTheBaseScheduleAndLambdaIsMonotone(int n) {
        NoiseSchedule base = NoiseSchedule.linear();
        SpacedSchedule s = SpacedSchedule.create(n);
        for (int i = 0; i < n; i++) {
            double expected = base.alphaCumprod(s.timestep(i));
            assertEquals(expected, s.alphaCumprod(i), 1e-12 * expected, "alpha_cumprod at spaced index " + i);
            assertEquals(1.0, s.alpha(i) * s.alpha(i) + s.sigma(i) * s.sigma(i), 1e-12);
            assertTrue(s.lambda(i - 1) > s.lambda(i), "lambda must grow towards the clean end");
            assertTrue(Double.isFinite(s.posteriorLogVarianceClipped(i)));
        }
        assertEquals(1.0, s.alphaCumprod(-1));
        assertEquals(Double.POSITIVE_INFINITY, s.lambda(-1));
        assertEquals(1.0, s.alphaCumprodPrev(0));
    }
}
