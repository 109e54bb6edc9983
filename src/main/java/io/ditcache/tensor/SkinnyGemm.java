package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM for a few rows of C (M <= {@link #MAX_ROWS}), e.g. the adaLN and timestep MLPs at batch 2: there packing
 * B costs more than the arithmetic, so each column block of C reads B exactly once, unpacked. Parallel over columns
 * of C.
 * <p>
 * Bit-identical to the blocked path with the same KC: per element of C, each KC chunk of k is one FMA chain from
 * zero, and the chunks add to C in k order. So a row of C does not depend on how many rows were multiplied with it:
 * a sample computed in a batch of one has the bits it has in a batch of a hundred.
 */
final class SkinnyGemm {
    static final int MAX_ROWS = 4;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns of C per task. */
    private static final int COLS = 64;
    /** Per thread: a KC x COLS chunk of op(B), row p holding B's values for k = pc + p. */
    private static final ThreadLocal<float[]> CHUNK = ThreadLocal.withInitial(() -> new float[0]);

    private SkinnyGemm() {
    }

    /**
     * Same contract as {@link Gemm#matmul(float[], int, int, float[], int, int, float[], int, int, int, int, int,
     * boolean, boolean, boolean)} for m <= MAX_ROWS, summing k in chunks of {@code kc} as the blocked path does.
     */
    static void matmul(int kc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                       int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        // Gather op(A) rows contiguously: m*k floats, cheap next to reading B.
        float[] ar = new float[m * k];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                ar[i * k + p] = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            }
        }
        Parallel.parallelFor(0, (n + COLS - 1) / COLS, blk -> {
            int j0 = blk * COLS;
            int w = Math.min(n, j0 + COLS) - j0;
            float[] t = CHUNK.get();
            if (t.length < kc * COLS) {
                t = new float[kc * COLS];
                CHUNK.set(t);
            }
            for (int pc = 0; pc < k; pc += kc) {
                int len = Math.min(kc, k - pc);
                gather(b, bOff, ldb, transB, j0, w, pc, len, t);
                boolean load = accumulate || pc > 0;
                for (int i = 0; i < m; i++) {
                    chunkRow(ar, i * k + pc, len, t, w, c, cOff + i * ldc + j0, load);
                }
            }
        });
    }

    /** op(B)[pc : pc+len, j0 : j0+w] into {@code t[p * COLS + jj]}. */
    private static void gather(float[] b, int bOff, int ldb, boolean transB, int j0, int w, int pc, int len, float[] t) {
        if (transB) { // B stored [N, K]: row j holds column j of op(B)
            for (int jj = 0; jj < w; jj++) {
                int bo = bOff + (j0 + jj) * ldb + pc;
                for (int p = 0; p < len; p++) {
                    t[p * COLS + jj] = b[bo + p];
                }
            }
        } else {
            for (int p = 0; p < len; p++) {
                System.arraycopy(b, bOff + (pc + p) * ldb + j0, t, p * COLS, w);
            }
        }
    }

    /** C[row, j0 : j0+w] = (load ? C + : ) sum over the chunk, one FMA chain from zero per element, in k order. */
    private static void chunkRow(float[] ar, int aOff, int len, float[] t, int w, float[] c, int co, boolean load) {
        int jj = 0;
        for (; jj <= w - L; jj += L) {
            FloatVector s = FloatVector.zero(S);
            for (int p = 0; p < len; p++) {
                s = FloatVector.fromArray(S, t, p * COLS + jj).fma(FloatVector.broadcast(S, ar[aOff + p]), s);
            }
            if (load) {
                s = s.add(FloatVector.fromArray(S, c, co + jj));
            }
            s.intoArray(c, co + jj);
        }
        for (; jj < w; jj++) {
            float s = 0f;
            for (int p = 0; p < len; p++) {
                s = Math.fma(t[p * COLS + jj], ar[aOff + p], s);
            }
            c[co + jj] = load ? s + c[co + jj] : s;
        }
    }
}
