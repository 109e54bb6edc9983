package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Supplier;

/** Shared helpers for kernel and op tests (tensor, nn): random inputs and relative-error checks against double references. */
public final class Reference {
    private Reference() {
    }

    public static float[] random(Random rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    /** Asserts max |got - want| <= tol * max(1, max |want|). */
    public static void assertClose(String what, double[] want, float[] got, int off, double tol) {
        double scale = 1;
        for (double w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        double worst = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs(got[off + i] - want[i]);
            if (!(e <= worst)) {
                worst = e;
                at = i;
            }
        }
        assertTrue(worst <= tol * scale, what + ": max error " + worst + " at " + at + " (scale " + scale + ", tol " + tol + ")");
    }

    /**
     * {@code make} with {@link Convolution#PROPERTY} set to {@code algorithm} (auto, im2col, winograd), restored after:
     * the convolutions it makes use that algorithm.
     */
    public static <T> T withConvolution(String algorithm, Supplier<T> make) {
        String old = System.getProperty(Convolution.PROPERTY);
        System.setProperty(Convolution.PROPERTY, algorithm);
        try {
            return make.get();
        } finally {
            if (old == null) {
                System.clearProperty(Convolution.PROPERTY);
            } else {
                System.setProperty(Convolution.PROPERTY, old);
            }
        }
    }
}
