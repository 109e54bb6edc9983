package io.ditcache.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    private static List<?> column(Map<?, ?> cases, String key) {
        return (List<?>) cases.get(key);
    }

    @Test
    void narrowingMatchesNumpyAndTorchRounding() throws IOException {
        Map<?, ?> cases = (Map<?, ?>) Fixtures.json("half_conversions.json");
        List<?> f32 = column(cases, "f32_bits");
        List<?> f16 = column(cases, "f16_bits");
        List<?> bf16 = column(cases, "bf16_bits");
        assertTrue(f32.size() > 400);
        for (int i = 0; i < f32.size(); i++) {
            float x = Float.intBitsToFloat(((Long) f32.get(i)).intValue());
            assertEquals(((Long) f16.get(i)).intValue(), HalfFloats.floatToF16(x) & 0xffff, "f16 of " + x);
            assertEquals(((Long) bf16.get(i)).intValue(), HalfFloats.floatToBf16(x) & 0xffff, "bf16 of " + x);
        }
    }

    @Test
    void widenF16IsExactForEveryBitPattern() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int exponent = (bits >>> 10) & 0x1f;
            int mantissa = bits & 0x3ff;
            double sign = (bits & 0x8000) != 0 ? -1 : 1;
            float actual = HalfFloats.f16ToFloat((short) bits);
            if (exponent == 0x1f) {
                assertTrue(mantissa == 0 ? Float.isInfinite(actual) : Float.isNaN(actual), "bits " + bits);
                continue;
            }
            double expected = exponent == 0 ? sign * mantissa * Math.pow(2, -24)
                    : sign * (1024 + mantissa) * Math.pow(2, exponent - 25);
            assertEquals(Float.floatToIntBits((float) expected), Float.floatToIntBits(actual), "bits " + bits);
            assertEquals(bits, HalfFloats.floatToF16(actual) & 0xffff, "round trip of bits " + bits);
        }
    }

    @Test
    void widenBf16IsTheUpperHalfAndRoundTrips() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float actual = HalfFloats.bf16ToFloat((short) bits);
            assertEquals(bits << 16, Float.floatToRawIntBits(actual));
            if (!Float.isNaN(actual)) {
                assertEquals(bits, HalfFloats.floatToBf16(actual) & 0xffff);
            }
        }
        assertEquals(0x7fc0, HalfFloats.floatToBf16(Float.NaN) & 0xffff);
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))));
    }
}
