package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GemmTest {
    /** Naive double-precision C (+)= op(A) op(B). */
    static double[] naive(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c0, int cOff, int ldc,
                          int m, int n, int k, boolean ta, boolean tb, boolean acc) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = acc ? c0[cOff + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    private static void check(Random rng, int m, int n, int k, boolean ta, boolean tb, boolean acc) {
        float[] a = Reference.random(rng, m * k);
        float[] b = Reference.random(rng, n * k);
        float[] c = Reference.random(rng, m * n);
        double[] want = naive(a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, m, n, k, ta, tb, acc);
        Gemm.matmul(a, 0, b, 0, c, 0, m, n, k, ta, tb, acc);
        String what = "matmul m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " acc=" + acc;
        Reference.assertClose(what, want, c, 0, 1e-5 * Math.sqrt(k + 1));
    }

    /**
     * A row of C has the same bits whatever the number of rows multiplied with it: the skinny path (m <= 4) sums k
     * as the blocked path does, chunk by chunk. Batch invariance of the whole model rests on this.
     */
    @Test
    void aRowsBitsDoNotDependOnHowManyRowsAreMultiplied() {
        Random rng = new Random(5);
        GemmConfig config = GemmConfig.defaults();
        int big = 11;
        for (int k : new int[] {7, config.kc() - 1, config.kc() + 3, 2 * config.kc() + 17}) {
            for (int n : new int[] {5, 64, 131}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (boolean acc : new boolean[] {false, true}) {
                        float[] a = randoms(rng, big * k);
                        float[] b = randoms(rng, k * n);
                        float[] c0 = randoms(rng, big * n);
                        float[] all = c0.clone();
                        Gemm.matmul(a, 0, k, b, 0, tb ? k : n, all, 0, n, big, n, k, false, tb, acc);
                        for (int m = 1; m <= SkinnyGemm.MAX_ROWS + 1; m++) {
                            float[] few = java.util.Arrays.copyOf(c0, m * n);
                            Gemm.matmul(a, 0, k, b, 0, tb ? k : n, few, 0, n, m, n, k, false, tb, acc);
                            org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOf(all, m * n), few,
                                    "m " + m + " k " + k + " n " + n + " transB " + tb + " accumulate " + acc);
                        }
                    }
                }
            }
        }
    }

    /** The same for a packed weight, whose few-row products read the panels in place. */
    @Test
    void aRowsBitsDoNotDependOnHowManyRowsMultiplyAPackedWeight() {
        Random rng = new Random(6);
        int kc = GemmConfig.defaults().kc();
        int big = 13;
        for (int k : new int[] {3, kc, kc + 5, 3 * kc + 1}) {
            for (int n : new int[] {1, 31, 97}) {
                float[] w = randoms(rng, n * k);
                PackedWeight packed = PackedWeight.of(w, n, k);
                float[] a = randoms(rng, big * k);
                for (boolean acc : new boolean[] {false, true}) {
                    float[] c0 = randoms(rng, big * n);
                    float[] all = c0.clone();
                    Gemm.matmul(a, 0, packed, all, 0, big, acc);
                    float[] plain = c0.clone();
                    Gemm.matmul(a, 0, k, w, 0, k, plain, 0, n, big, n, k, false, true, acc);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(plain, all, "packed = unpacked");
                    for (int m = 1; m <= SkinnyGemm.MAX_ROWS + 1; m++) {
                        float[] few = java.util.Arrays.copyOf(c0, m * n);
                        Gemm.matmul(a, 0, packed, few, 0, m, acc);
                        org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOf(all, m * n), few,
                                "m " + m + " k " + k + " n " + n + " accumulate " + acc);
                    }
                }
            }
        }
    }

    private static float[] randoms(Random rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    @Test
    void allTransposesAndEdgeSizes() {
        Random rng = new Random(1);
        int[][] shapes = {{1, 1, 1}, {1, 37, 5}, {3, 1, 9}, {7, 33, 1}, {8, 32, 16}, {9, 65, 257},
            {17, 31, 300}, {64, 96, 64}, {130, 70, 513}, {2, 300, 40}, {300, 5, 20}, {4, 70, 300}, {5, 40, 33}, {13, 33, 17}};
        for (int[] s : shapes) {
            for (int t = 0; t < 8; t++) {
                check(rng, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, (t & 4) != 0);
            }
        }
    }

    @Test
    void ditShapeLinearLayout() {
        Random rng = new Random(2);
        check(rng, 64, 1152, 1152, false, true, false);
    }

    @Test
    void stridedOperandsLeaveOtherElementsAlone() {
        Random rng = new Random(3);
        int m = 19, n = 45, k = 70, lda = 80, ldb = 75, ldc = 50;
        float[] a = Reference.random(rng, 3 + m * lda);
        float[] b = Reference.random(rng, 5 + n * ldb);
        float[] c = Reference.random(rng, 7 + m * ldc);
        float[] before = c.clone();
        double[] want = naive(a, 3, lda, b, 5, ldb, c, 7, ldc, m, n, k, false, true, true);
        Gemm.matmul(a, 3, lda, b, 5, ldb, c, 7, ldc, m, n, k, false, true, true);
        float[] packed = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                packed[i * n + j] = c[7 + i * ldc + j];
            }
            for (int j = n; j < ldc && 7 + i * ldc + j < c.length; j++) {
                assertEquals(before[7 + i * ldc + j], c[7 + i * ldc + j], "padding column touched");
            }
        }
        assertEquals(before[0], c[0]);
        Reference.assertClose("strided", want, packed, 0, 1e-5 * Math.sqrt(k));
    }

    @Test
    void zeroKClearsOrKeeps() {
        float[] c = {1, 2, 3, 4};
        Gemm.matmul(new float[0], 0, new float[0], 0, c, 0, 2, 2, 0, false, true, true);
        assertEquals(4f, c[3]);
        Gemm.matmul(new float[0], 0, new float[0], 0, c, 0, 2, 2, 0, false, true, false);
        assertEquals(0f, c[3]);
    }
}
