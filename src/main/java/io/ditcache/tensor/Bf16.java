package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16: the upper 16 bits of an IEEE float (8 exponent bits, 7 mantissa bits), the storage of
 * {@link WeightPrecision#BF16} weights. Rounding is to nearest, ties to even, as PyTorch's
 * {@code tensor.to(torch.bfloat16)}; widening back to float is exact, so a bf16 weight multiplies as the float it
 * stands for.
 */
public final class Bf16 {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** As many shorts as a float vector has lanes. */
    private static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));

    private Bf16() {
    }

    /** {@code f} rounded to bfloat16 (nearest, ties to even; NaN stays a quiet NaN of the same sign). */
    public static short round(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** The float a bfloat16 stands for (exact). */
    public static float toFloat(short h) {
        return Float.intBitsToFloat(h << 16);
    }

    /** {@code f} rounded to bfloat16 and back: the value a bf16 weight multiplies with. */
    public static float roundTrip(float f) {
        return toFloat(round(f));
    }

    /** {@code dst[dstOff + i] = round(src[srcOff + i])} for {@code i < len}. */
    static void round(float[] src, int srcOff, short[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = round(src[srcOff + i]);
        }
    }

    /** {@code dst[dstOff + i] = toFloat(src[srcOff + i])} for {@code i < len}, vectorised. */
    static void widen(short[] src, int srcOff, float[] dst, int dstOff, int len) {
        int i = 0;
        int l = F.length();
        for (; i <= len - l; i += l) {
            ShortVector h = ShortVector.fromArray(SH, src, srcOff + i);
            IntVector w = (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
            w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) {
            dst[dstOff + i] = toFloat(src[srcOff + i]);
        }
    }
}
