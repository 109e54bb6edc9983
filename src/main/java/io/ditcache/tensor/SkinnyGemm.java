package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM for a few rows of C (M <= {@link #MAX_ROWS}), e.g. the adaLN and timestep MLPs at batch 2: there packing
 * B costs more than the arithmetic, so each column block of C reads B exactly once, unpacked.
 * Parallel over columns of C.
 */
final class SkinnyGemm {
    static final int MAX_ROWS = 4;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns of C per task. */
    private static final int COLS = 64;

    private SkinnyGemm() {
    }

    /** Same contract as {@link Gemm#matmul(float[], int, int, float[], int, int, float[], int, int, int, int, int, boolean, boolean, boolean)} for m <= MAX_ROWS. */
    static void matmul(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                       int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        // Gather op(A) rows contiguously: m*k floats, cheap next to reading B.
        float[] ar = new float[MAX_ROWS * k];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                ar[i * k + p] = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            }
        }
        Parallel.parallelFor(0, (n + COLS - 1) / COLS, blk -> {
            int j0 = blk * COLS;
            int j1 = Math.min(n, j0 + COLS);
            if (transB) {
                dots(ar, m, k, b, bOff, ldb, c, cOff, ldc, j0, j1, accumulate);
            } else {
                axpys(ar, m, k, b, bOff, ldb, c, cOff, ldc, j0, j1, accumulate);
            }
        });
    }

    /** C[i, j] (+)= dot(A row i, B row j) for B stored [N,K]; up to four A rows share each pass over a B row. */
    private static void dots(float[] ar, int m, int k, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                             int j0, int j1, boolean accumulate) {
        int r1 = m > 1 ? k : 0;
        int r2 = m > 2 ? 2 * k : 0;
        int r3 = m > 3 ? 3 * k : 0;
        for (int j = j0; j < j1; j++) {
            int bo = bOff + j * ldb;
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            int p = 0;
            for (; p <= k - L; p += L) {
                FloatVector bv = FloatVector.fromArray(S, b, bo + p);
                s0 = bv.fma(FloatVector.fromArray(S, ar, p), s0);
                s1 = bv.fma(FloatVector.fromArray(S, ar, r1 + p), s1);
                s2 = bv.fma(FloatVector.fromArray(S, ar, r2 + p), s2);
                s3 = bv.fma(FloatVector.fromArray(S, ar, r3 + p), s3);
            }
            float[] sum = {VectorMath.sum(s0), VectorMath.sum(s1), VectorMath.sum(s2), VectorMath.sum(s3)};
            for (int i = 0; i < m; i++) {
                float s = sum[i];
                for (int q = p; q < k; q++) {
                    s += ar[i * k + q] * b[bo + q];
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }

    /** C[i, j0:j1] (+)= sum_p A[i, p] * B[p, j0:j1] for B stored [K,N]. */
    private static void axpys(float[] ar, int m, int k, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                              int j0, int j1, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int co = cOff + i * ldc;
            if (!accumulate) {
                java.util.Arrays.fill(c, co + j0, co + j1, 0f);
            }
            for (int p = 0; p < k; p++) {
                float av = ar[i * k + p];
                FloatVector x = FloatVector.broadcast(S, av);
                int bo = bOff + p * ldb;
                int j = j0;
                for (; j <= j1 - L; j += L) {
                    FloatVector.fromArray(S, b, bo + j).fma(x, FloatVector.fromArray(S, c, co + j)).intoArray(c, co + j);
                }
                for (; j < j1; j++) {
                    c[co + j] += av * b[bo + j];
                }
            }
        }
    }
}
