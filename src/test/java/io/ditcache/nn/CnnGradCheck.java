package io.ditcache.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/** Central finite differences for the layer tests: the loss is a scalar function of one float array. */
final class CnnGradCheck {
    private CnnGradCheck() {
    }

    static float[] random(SplittableRandom rng, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    /** sum_i a[i] * b[i] in double: the test loss {@code <out, R>}, whose gradient with respect to out is R. */
    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** d loss / d x[i] for every i, by (loss(x + eps) - loss(x - eps)) / 2 eps; x is restored afterwards. */
    static double[] numericGradient(float[] x, DoubleSupplier loss, float eps) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float keep = x[i];
            x[i] = keep + eps;
            double plus = loss.getAsDouble();
            x[i] = keep - eps;
            double minus = loss.getAsDouble();
            x[i] = keep;
            g[i] = (plus - minus) / (2.0 * eps);
        }
        return g;
    }

    /** Each element within {@code tol * (1 + |numeric|)}; the message names the array and the worst index. */
    static void assertGradientClose(String what, float[] analytic, double[] numeric, double tol) {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < numeric.length; i++) {
            double err = Math.abs(analytic[i] - numeric[i]) / (1 + Math.abs(numeric[i]));
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        double w = worst;
        int a = at;
        assertTrue(worst <= tol, () -> what + ": analytic " + analytic[a] + " vs numeric " + numeric[a] + " at index "
                + a + " (relative error " + w + ")");
    }
}
