package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenBLAS backend against the naive loop: odd shapes (not multiples of any tile or of its 16-wide blocks, K = 1),
 * every transpose, strided operands as attention passes them, pinned weights, at 3 threads (C split by columns and
 * by rows, into several blocks) and 1, and inside a parallel region. Runs where the bytedeco natives load (they are test dependencies).
 */
class OpenBlasGemmTest {
    private static NativeGemm blas;
    private static int threadsBefore;

    @BeforeAll
    static void load() {
        try {
            blas = GemmBackend.load(GemmBackend.OPENBLAS_CLASS, OpenBlasGemmTest.class.getClassLoader(), "test");
        } catch (IllegalStateException e) {
            Assumptions.abort("OpenBLAS does not load here: " + e.getMessage());
        }
        threadsBefore = Parallel.threads();
    }

    @AfterAll
    static void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    private static void check(Random rng, int m, int n, int k, boolean ta, boolean tb, boolean acc) {
        float[] a = Reference.random(rng, m * k);
        float[] b = Reference.random(rng, n * k);
        float[] c = Reference.random(rng, m * n);
        double[] want = GemmTest.naive(a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, m, n, k, ta, tb, acc);
        blas.matmul(a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, m, n, k, ta, tb, acc);
        String what = "openblas m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " acc=" + acc
                + " threads=" + Parallel.threads();
        Reference.assertClose(what, want, c, 0, 1e-5 * Math.sqrt(k + 1));
    }

    @Test
    void oddShapesEveryTransposeAndThreadCount() {
        Random rng = new Random(21);
        int[][] shapes = {{1, 1, 1}, {1, 37, 5}, {3, 1, 9}, {7, 33, 1}, {13, 17, 1}, {9, 65, 257}, {17, 31, 300},
            {130, 70, 513}, {2, 300, 40}, {300, 5, 20}, {5, 40, 33}, {97, 101, 3}, {250, 61, 19}};
        Parallel.setThreads(3);
        for (int[] s : shapes) {
            for (int t = 0; t < 8; t++) {
                check(rng, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, (t & 4) != 0);
            }
        }
        Parallel.setThreads(1);
        for (int t = 0; t < 8; t++) {
            check(rng, 97, 101, 3, (t & 1) != 0, (t & 2) != 0, (t & 4) != 0);
        }
    }

    /** Attention's products: head slices of qkv rows (stride 3d) at an offset, P V written into a head's columns. */
    @Test
    void stridedOperandsLeaveOtherElementsAlone() {
        Random rng = new Random(22);
        Parallel.setThreads(3);
        int m = 37, n = 45, k = 19, lda = 80, ldb = 75, ldc = 50;
        for (boolean tb : new boolean[]{true, false}) {
            float[] a = Reference.random(rng, 3 + m * lda);
            float[] b = Reference.random(rng, 5 + (tb ? n : k) * ldb);
            float[] c = Reference.random(rng, 7 + m * ldc);
            float[] before = c.clone();
            double[] want = GemmTest.naive(a, 3, lda, b, 5, ldb, c, 7, ldc, m, n, k, false, tb, true);
            blas.matmul(a, 3, lda, b, 5, ldb, c, 7, ldc, m, n, k, false, tb, true);
            float[] got = new float[m * n];
            for (int i = 0; i < m; i++) {
                System.arraycopy(c, 7 + i * ldc, got, i * n, n);
                for (int j = n; j < ldc && 7 + i * ldc + j < c.length; j++) {
                    assertEquals(before[7 + i * ldc + j], c[7 + i * ldc + j], "padding column touched");
                }
            }
            assertEquals(before[0], c[0]);
            Reference.assertClose("strided transB=" + tb, want, got, 0, 1e-5 * Math.sqrt(k));
        }
    }

    /** A pinned weight gives the unpinned product bit for bit, at a few rows and at many (split both ways). */
    @Test
    void pinnedWeightMatchesTheUnpinnedProduct() {
        Random rng = new Random(23);
        Parallel.setThreads(3);
        int out = 70;
        int in = 33;
        float[] w = Reference.random(rng, out * in);
        NativeGemm.Weight pinned = blas.pin(w, out, in);
        assertEquals(4L * out * in, pinned.bytes());
        for (int m : new int[]{1, 2, 5, 131}) {
            float[] a = Reference.random(rng, m * in);
            float[] want = Reference.random(rng, m * out);
            float[] got = want.clone();
            blas.matmul(a, 0, in, w, 0, in, want, 0, out, m, out, in, false, true, true);
            pinned.multiply(a, 0, got, 0, m, true);
            assertArrayEquals(want, got, "m=" + m);
        }
    }

    /** Inside a region each call runs on its own thread (nested regions run inline), on its own buffers. */
    @Test
    void concurrentCallsInsideAParallelRegion() {
        Parallel.setThreads(3);
        int heads = 12;
        int m = 29;
        int n = 23;
        int k = 18;
        Random rng = new Random(24);
        float[][] a = new float[heads][];
        float[][] b = new float[heads][];
        float[][] c = new float[heads][];
        for (int h = 0; h < heads; h++) {
            a[h] = Reference.random(rng, m * k);
            b[h] = Reference.random(rng, n * k);
            c[h] = new float[m * n];
        }
        Parallel.parallelFor(0, heads, h -> blas.matmul(a[h], 0, k, b[h], 0, k, c[h], 0, n, m, n, k, false, true, false));
        for (int h = 0; h < heads; h++) {
            double[] want = GemmTest.naive(a[h], 0, k, b[h], 0, k, c[h], 0, n, m, n, k, false, true, false);
            Reference.assertClose("head " + h, want, c[h], 0, 1e-5 * Math.sqrt(k));
        }
    }
}
