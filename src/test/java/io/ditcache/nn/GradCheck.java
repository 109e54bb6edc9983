package io.ditcache.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

/**
 * Finite-difference checks for hand-written backward passes: the loss is a float forward reduced in double as
 * {@code L = sum(G * out)} for a fixed random G, so dL/dout = G; analytic gradients from the backward are compared
 * with central differences at chosen entries.
 */
public final class GradCheck {
    /** Re-runs the float forward and returns the scalar loss. */
    @FunctionalInterface
    public interface Loss {
        double eval();
    }

    private GradCheck() {
    }

    public static float[] randn(SplittableRandom rng, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double u1 = rng.nextDouble();
            double u2 = rng.nextDouble();
            a[i] = (float) (std * Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2));
        }
        return a;
    }

    /** sum g*out in double. */
    public static double dot(float[] g, float[] out) {
        double s = 0;
        for (int i = 0; i < g.length; i++) {
            s += (double) g[i] * out[i];
        }
        return s;
    }

    /** The {@code largest} entries of |analytic| plus {@code random} random entries. */
    public static int[] pick(float[] analytic, int largest, int random, SplittableRandom rng) {
        int n = Math.min(largest, analytic.length);
        int[] idx = new int[n + random];
        boolean[] used = new boolean[analytic.length];
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int i = 0; i < analytic.length; i++) {
                if (!used[i] && (best < 0 || Math.abs(analytic[i]) > Math.abs(analytic[best]))) {
                    best = i;
                }
            }
            used[best] = true;
            idx[k] = best;
        }
        for (int k = 0; k < random; k++) {
            idx[n + k] = rng.nextInt(analytic.length);
        }
        return idx;
    }

    /** All entries. */
    public static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /**
     * Asserts {@code |fd - analytic| <= rtol * max(|fd|, |analytic|) + 1e-3 * max|analytic|} at each index, where
     * fd is the Richardson-extrapolated central difference of {@code loss} when {@code param[i]} moves by eps and
     * eps/2 ({@code (4 D(eps/2) - D(eps)) / 3}, which cancels the O(eps^2) curvature error).
     */
    public static void check(String what, float[] param, float[] analytic, Loss loss, int[] indices, float eps, double rtol) {
        double floor = 0;
        for (float a : analytic) {
            floor = Math.max(floor, Math.abs(a));
        }
        floor *= 1e-3;
        assertTrue(floor > 0, what + ": analytic gradient is all zero");
        for (int i : indices) {
            double fd = (4 * central(param, i, eps / 2, loss) - central(param, i, eps, loss)) / 3;
            double err = Math.abs(fd - analytic[i]);
            double tol = rtol * Math.max(Math.abs(fd), Math.abs(analytic[i])) + floor;
            assertTrue(err <= tol, what + "[" + i + "]: finite difference " + fd + " vs analytic " + analytic[i]
                    + " (error " + err + " > " + tol + ")");
        }
    }

    private static double central(float[] param, int i, float eps, Loss loss) {
        float saved = param[i];
        float up = saved + eps;
        float down = saved - eps;
        param[i] = up;
        double plus = loss.eval();
        param[i] = down;
        double minus = loss.eval();
        param[i] = saved;
        return (plus - minus) / ((double) up - (double) down);
    }
}
