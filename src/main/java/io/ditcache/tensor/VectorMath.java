package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, tanh and lane sums on float vectors, built only from IEEE operations (add, multiply, fused multiply-add,
 * divide, integer bit operations), so every lane's result is the same whether the JIT compiled the caller or not.
 * The Vector API's own {@code EXP}/{@code TANH} use SVML-style intrinsics in compiled code and {@code Math} in the
 * interpreter: their results differ in the last bits, which made repeated runs differ by when compilation finished,
 * breaking the bit-for-bit invariants of caching and resuming. Accuracy: exp within 2 ulp, tanh within 2^-23 absolute.
 */
public final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Inputs are clamped here: 2^n stays a normal float (exp(-87) ~ 1.6e-38, exp(88) ~ 1.7e38). */
    private static final float EXP_LO = -87f;
    private static final float EXP_HI = 88f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final VectorShuffle<Float> DOWN16 = L > 16 ? VectorShuffle.fromOp(S, i -> (i + 16) % L) : null;
    private static final VectorShuffle<Float> DOWN8 = L > 8 ? VectorShuffle.fromOp(S, i -> (i + 8) % L) : null;
    private static final VectorShuffle<Float> DOWN4 = L > 4 ? VectorShuffle.fromOp(S, i -> (i + 4) % L) : null;
    private static final VectorShuffle<Float> DOWN2 = L > 2 ? VectorShuffle.fromOp(S, i -> (i + 2) % L) : null;
    private static final VectorShuffle<Float> DOWN1 = L > 1 ? VectorShuffle.fromOp(S, i -> (i + 1) % L) : null;

    private VectorMath() {
    }

    /**
     * e^x per lane: x = n ln2 + r, e^x = 2^n * P(r) with P the degree-7 Taylor polynomial (|r| <= ln2/2: truncation
     * below 1e-8 relative). Inputs are clamped to [-87, 88].
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUNDER));
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector p = FloatVector.broadcast(S, 1f / 5040).fma(r, FloatVector.broadcast(S, 1f / 720))
                .fma(r, FloatVector.broadcast(S, 1f / 120)).fma(r, FloatVector.broadcast(S, 1f / 24))
                .fma(r, FloatVector.broadcast(S, 1f / 6)).fma(r, FloatVector.broadcast(S, 0.5f))
                .fma(r, one).fma(r, one);
        IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    /** tanh(u) per lane as {@code sign(u) (1 - 2 / (e^{2|u|} + 1))}. */
    public static FloatVector tanh(FloatVector u) {
        FloatVector a = u.abs();
        FloatVector e = exp(a.add(a));
        FloatVector th = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
        // th >= 0: give it u's sign bit (integer bit operations; a masked negate is slow on JDK 17).
        IntVector sign = ((IntVector) u.reinterpretAsInts()).lanewise(VectorOperators.AND, Integer.MIN_VALUE);
        return ((IntVector) th.reinterpretAsInts()).lanewise(VectorOperators.OR, sign).reinterpretAsFloats();
    }

    /** The sum of the lanes, always in the same order (halving tree). */
    public static float sum(FloatVector v) {
        if (L > 32) {
            float s = 0f;
            for (int i = 0; i < L; i++) {
                s += v.lane(i);
            }
            return s;
        }
        if (L > 16) {
            v = v.add(v.rearrange(DOWN16));
        }
        if (L > 8) {
            v = v.add(v.rearrange(DOWN8));
        }
        if (L > 4) {
            v = v.add(v.rearrange(DOWN4));
        }
        if (L > 2) {
            v = v.add(v.rearrange(DOWN2));
        }
        if (L > 1) {
            v = v.add(v.rearrange(DOWN1));
        }
        return v.lane(0);
    }
}
