package io.ditcache.io;

/**
 * Conversions between float32 and the two 16-bit float formats of weight files: IEEE half (F16) and bfloat16
 * (BF16). Narrowing rounds to nearest, ties to even, like numpy and PyTorch; widening is exact.
 * Written here because {@code Float.floatToFloat16} needs Java 20.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** The float32 value of IEEE half bits {@code h} (exact). */
    public static float f16ToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign != 0 ? -subnormal : subnormal;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** IEEE half bits nearest to {@code f} (ties to even); overflow gives infinity, NaN stays NaN. */
    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            int nanPayload = abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0;
            return (short) (sign | 0x7c00 | nanPayload);
        }
        if (abs >= 0x477ff000) { // 65520, halfway above the largest half 65504: rounds (to even) to infinity
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x38800000) { // normal half range, >= 2^-14: drop 13 mantissa bits
            int h = (((abs >>> 23) - 112) << 10) | ((abs & 0x7fffff) >>> 13);
            return (short) (sign | roundHalfEven(h, abs & 0x1fff, 13));
        }
        int exponent = abs >>> 23;
        if (exponent < 102) { // below 2^-25: rounds to zero
            return (short) sign;
        }
        // subnormal half: count units of 2^-24; the float's significand is (1.mantissa) * 2^(exponent-150)
        int significand = (abs & 0x7fffff) | 0x800000;
        int shift = 126 - exponent;
        int h = significand >>> shift;
        return (short) (sign | roundHalfEven(h, significand & ((1 << shift) - 1), shift));
    }

    /** The float32 value of bfloat16 bits {@code b} (exact: the upper half of a float). */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** bfloat16 bits nearest to {@code f} (ties to even), NaN as PyTorch's canonical 0x7FC0. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) 0x7fc0;
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** {@code kept} rounded by the {@code droppedBits} low bits {@code dropped}: nearest, ties to even. */
    private static int roundHalfEven(int kept, int dropped, int droppedBits) {
        int half = 1 << (droppedBits - 1);
        return dropped > half || (dropped == half && (kept & 1) != 0) ? kept + 1 : kept;
    }
}
