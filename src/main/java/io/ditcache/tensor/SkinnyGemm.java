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
            float[] t = Scratch.atLeast(CHUNK, kc * COLS);
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

    /**
     * C[m, n] (+)= A[m, k] * W^T for a packed weight (panels of {@code nr} features, {@link PackedWeight}'s layout),
     * reading fp32 panels in place (bf16 ones widened a chunk at a time): one pass over W, no unpacking. Same sums
     * as the blocked path with chunks of KC. A is row-major with row stride k.
     */
    static void packed(PackedWeight w, float[] a, int aOff, float[] c, int cOff, int m, boolean accumulate) {
        GemmKernel kernel = w.config().kernel();
        int kc = w.config().kc();
        int n = w.out();
        int k = w.in();
        float[] panels = w.panels();
        int nr = kernel.nr;
        if (nr != 2 * L) {
            throw new IllegalStateException("packed skinny GEMM needs panels of 2 vectors, got " + nr + " floats");
        }
        int count = (n + nr - 1) / nr;
        int perTask = Math.max(1, COLS / nr);
        Parallel.parallelFor(0, (count + perTask - 1) / perTask, blk -> {
            float[] tile = new float[MAX_ROWS * nr]; // rows of nr floats, as GemmKernel.storeTile reads them
            float[] wide = panels != null ? null : Scratch.atLeast(CHUNK, kc * nr);
            for (int j = blk * perTask; j < Math.min(count, (blk + 1) * perTask); j++) {
                for (int pc = 0; pc < k; pc += kc) {
                    int len = Math.min(kc, k - pc);
                    int po = j * k * nr + pc * nr;
                    if (wide != null) {
                        w.panelFloats(po, wide, 0, len * nr);
                    }
                    panelChunk(wide != null ? wide : panels, wide != null ? 0 : po, a, aOff + pc, k, m, len, tile);
                    kernel.storeTile(tile, c, cOff + j * nr, n, m, Math.min(nr, n - j * nr), accumulate || pc > 0);
                }
            }
        });
    }

    /** tile[i * 2L + jj] = one FMA chain from zero over {@code len} k-values of A row i and the panel's columns. */
    private static void panelChunk(float[] panels, int po, float[] a, int ao, int lda, int m, int len, float[] tile) {
        // Rows past m repeat row 0: their sums are computed and dropped (four rows cost what one does: W streams).
        int a1 = ao + (m > 1 ? lda : 0);
        int a2 = ao + (m > 2 ? 2 * lda : 0);
        int a3 = ao + (m > 3 ? 3 * lda : 0);
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S);
        FloatVector s30 = FloatVector.zero(S), s31 = FloatVector.zero(S);
        for (int p = 0; p < len; p++) {
            int bo = po + p * 2 * L;
            FloatVector b0 = FloatVector.fromArray(S, panels, bo);
            FloatVector b1 = FloatVector.fromArray(S, panels, bo + L);
            FloatVector x = FloatVector.broadcast(S, a[ao + p]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
        }
        s00.intoArray(tile, 0);
        s01.intoArray(tile, L);
        s10.intoArray(tile, 2 * L);
        s11.intoArray(tile, 3 * L);
        s20.intoArray(tile, 4 * L);
        s21.intoArray(tile, 5 * L);
        s30.intoArray(tile, 6 * L);
        s31.intoArray(tile, 7 * L);
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
