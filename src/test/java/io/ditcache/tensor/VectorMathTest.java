package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    private static final int L = VectorMath.L;

    /** The same operation sequence in scalar IEEE arithmetic: vector results must equal it bit for bit. */
    private static float scalarExp(float x) {
        float xc = Math.min(Math.max(x, -87f), 88f);
        float t = Math.fma(xc, 1.44269504088896341f, 12582912f);
        float n = t - 12582912f;
        float r = Math.fma(n, -0.693359375f, xc);
        r = Math.fma(n, 2.12194440e-4f, r);
        float p = Math.fma(1f / 5040, r, 1f / 720);
        p = Math.fma(p, r, 1f / 120);
        p = Math.fma(p, r, 1f / 24);
        p = Math.fma(p, r, 1f / 6);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int bits = (Float.floatToRawIntBits(t) - (Float.floatToRawIntBits(12582912f) - 127)) << 23;
        return p * Float.intBitsToFloat(bits);
    }

    private static float[] apply(float[] x, java.util.function.UnaryOperator<FloatVector> f) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += L) {
            f.apply(FloatVector.fromArray(VectorMath.S, x, i)).intoArray(out, i);
        }
        return out;
    }

    private static float[] inputs(float lo, float hi, int n) {
        Random rng = new Random(5);
        float[] x = new float[n * L];
        for (int i = 0; i < x.length; i++) {
            x[i] = lo + (hi - lo) * rng.nextFloat();
        }
        x[0] = 0f;
        x[1] = lo;
        return x;
    }

    @Test
    void expIsAccurateAndExactlyTheScalarOperationSequence() {
        float[] x = inputs(-87f, 88f, 4000);
        float[] e = apply(x, VectorMath::exp);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(scalarExp(x[i])), Float.floatToRawIntBits(e[i]), "exp(" + x[i] + ")");
            double want = Math.exp(x[i]);
            assertTrue(Math.abs(e[i] - want) <= 2 * Math.ulp((float) want), "exp(" + x[i] + ") = " + e[i] + ", want " + want);
        }
        assertEquals(1f, e[0]);
    }

    @Test
    void expClampsOutOfRangeInputs() {
        float[] x = new float[L];
        x[0] = -1000f;
        x[1 % L] = Float.NEGATIVE_INFINITY;
        float[] e = apply(x, VectorMath::exp);
        assertTrue(e[0] > 0 && e[0] < 2e-38f, "exp(-1000) clamps to a tiny normal, got " + e[0]);
        if (L > 1) {
            x[1] = 1000f;
            assertEquals((float) Math.exp(88), apply(x, VectorMath::exp)[1], 2 * Math.ulp((float) Math.exp(88)));
        }
    }

    @Test
    void tanhIsAccurateAndOdd() {
        float[] x = inputs(-12f, 12f, 2000);
        float[] t = apply(x, VectorMath::tanh);
        float[] neg = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            neg[i] = -x[i];
        }
        float[] tn = apply(neg, VectorMath::tanh);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.tanh(x[i]), t[i], 2.5e-7, "tanh(" + x[i] + ")");
            assertEquals(-t[i], tn[i], 0f, "odd at " + x[i]);
        }
    }

    @Test
    void sumIsTheFixedHalvingTree() {
        Random rng = new Random(6);
        float[] v = new float[L];
        for (int trial = 0; trial < 200; trial++) {
            for (int i = 0; i < L; i++) {
                v[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(8)));
            }
            float[] tree = v.clone();
            for (int width = L / 2; width >= 1; width /= 2) {
                for (int i = 0; i < width; i++) {
                    tree[i] += tree[i + width];
                }
            }
            assertEquals(tree[0], VectorMath.sum(FloatVector.fromArray(VectorMath.S, v, 0)), 0f);
        }
    }
}
