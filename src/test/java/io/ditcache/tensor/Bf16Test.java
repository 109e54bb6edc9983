package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Bf16Test {
    /**
     * Against the definition: the result is a bf16 value (low 16 bits zero), one of the two bf16 neighbours of x
     * (truncation, or truncation plus one unit in the last place), the nearer in exact decimal arithmetic, and on a
     * tie the one with an even last mantissa bit.
     */
    @Test
    void roundsToNearestTiesToEven() {
        Random rng = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            float x = Float.intBitsToFloat(rng.nextInt());
            if (Float.isNaN(x) || Float.isInfinite(x)) {
                continue;
            }
            check(x);
        }
        for (int low : new int[]{0x7FFF, 0x8000, 0x8001, 0x18000, 0x28000}) {
            check(Float.intBitsToFloat(0x3F800000 + low)); // around 1: below, at and above ties, odd and even
            check(Float.intBitsToFloat(0xBF800000 + low));
        }
    }

    private static void check(float x) {
        int bits = Float.floatToRawIntBits(x);
        float down = Float.intBitsToFloat(bits & 0xFFFF0000);
        // one bf16 ulp away from zero: the next value of the 16 high bits (may be infinity)
        float up = Float.intBitsToFloat((bits & 0xFFFF0000) + 0x10000);
        float got = Bf16.roundTrip(x);
        if (Float.isInfinite(up)) {
            // above the largest finite bf16: RNE overflows to infinity past the midpoint (exact comparison on bits)
            assertTrue(got == down || got == up, "x=" + x);
            return;
        }
        BigDecimal ex = new BigDecimal(x);
        int cmp = ex.subtract(new BigDecimal(down)).abs().compareTo(ex.subtract(new BigDecimal(up)).abs());
        float want = cmp < 0 ? down : cmp > 0 ? up : ((Float.floatToRawIntBits(down) >>> 16) & 1) == 0 ? down : up;
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), "x=" + x + " (0x" + Integer.toHexString(bits) + ")");
    }

    @Test
    void specialValuesAndExactOnes() {
        assertTrue(Float.isNaN(Bf16.roundTrip(Float.NaN)));
        assertTrue(Float.isNaN(Bf16.roundTrip(Float.intBitsToFloat(0x7F800001)))); // a NaN whose payload sits low
        assertEquals(Float.POSITIVE_INFINITY, Bf16.roundTrip(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, Bf16.roundTrip(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.roundTrip(Float.MAX_VALUE));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Bf16.roundTrip(-0f)));
        for (float v : new float[]{1f, -2.5f, 0.15625f, 65536f, 1e-38f}) {
            float exact = Float.intBitsToFloat(Float.floatToRawIntBits(v) & 0xFFFF0000);
            assertEquals(exact, Bf16.roundTrip(exact));
        }
    }

    /** The vector widening and the scalar one agree, tails included. */
    @Test
    void widenMatchesScalar() {
        Random rng = new Random(4);
        short[] h = new short[1000];
        for (int i = 0; i < h.length; i++) {
            h[i] = (short) rng.nextInt();
        }
        for (int len : new int[]{0, 1, 7, 8, 9, 16, 33, 999}) {
            float[] dst = new float[len + 3];
            Bf16.widen(h, 1, dst, 2, len);
            for (int i = 0; i < len; i++) {
                assertEquals(Float.floatToRawIntBits(Bf16.toFloat(h[1 + i])), Float.floatToRawIntBits(dst[2 + i]));
            }
        }
    }

    @Test
    void precisionParsesWithClearErrors() {
        assertEquals(WeightPrecision.BF16, WeightPrecision.parse("BF16"));
        assertEquals(WeightPrecision.FP32, WeightPrecision.parse(" fp32"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightPrecision.parse("fp16"));
        assertEquals("weight precision 'fp16': expected fp32 or bf16", e.getMessage());
    }
}
