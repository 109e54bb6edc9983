package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The blocked, register-tiled single-thread GEMM behind {@link Gemm}:
 * {@code C[m,n] (+)= A[m,k] * B[k,n]} with A packed into strips of {@link #MR} rows and B into panels of
 * {@link #NR} columns, both k-major, by {@link Gemm}. The micro-kernel keeps an {@link #MR} x {@link #NR}
 * tile of C in vector registers; every {@code FloatVector} lives inside {@link #microKernel} so the JIT
 * keeps them in registers.
 */
final class GemmKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of C per micro-tile. */
    static final int MR = 8;
    /** Columns of C per micro-tile: two vectors. */
    static final int NR = 2 * L;

    private GemmKernel() {
    }

    /**
     * One MR x NR tile over a k-chunk: {@code C[r, j] (+)= sum_p Ap[p, r] * Bp[p, j]}, stored for rows
     * {@code r < mValid} and columns {@code j < nValid}.
     *
     * @param ap   packed A strip, element (p, r) at {@code ap[apOff + p*MR + r]}
     * @param bp   packed B panel, element (p, j) at {@code bp[bpOff + p*NR + j]}
     * @param load add into the existing C tile instead of overwriting it
     */
    static void microKernel(float[] ap, int apOff, float[] bp, int bpOff, int kc,
                            float[] c, int cOff, int ldc, int mValid, int nValid, boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bpOff + p * NR;
            int ao = apOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector x = FloatVector.broadcast(S, ap[ao]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(S, ap[ao + 6]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(S, ap[ao + 7]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        if (nValid >= NR && mValid >= MR) {
            if (load) {
                c00 = c00.add(FloatVector.fromArray(S, c, cOff));
                c01 = c01.add(FloatVector.fromArray(S, c, cOff + L));
                c10 = c10.add(FloatVector.fromArray(S, c, cOff + ldc));
                c11 = c11.add(FloatVector.fromArray(S, c, cOff + ldc + L));
                c20 = c20.add(FloatVector.fromArray(S, c, cOff + 2 * ldc));
                c21 = c21.add(FloatVector.fromArray(S, c, cOff + 2 * ldc + L));
                c30 = c30.add(FloatVector.fromArray(S, c, cOff + 3 * ldc));
                c31 = c31.add(FloatVector.fromArray(S, c, cOff + 3 * ldc + L));
                c40 = c40.add(FloatVector.fromArray(S, c, cOff + 4 * ldc));
                c41 = c41.add(FloatVector.fromArray(S, c, cOff + 4 * ldc + L));
                c50 = c50.add(FloatVector.fromArray(S, c, cOff + 5 * ldc));
                c51 = c51.add(FloatVector.fromArray(S, c, cOff + 5 * ldc + L));
                c60 = c60.add(FloatVector.fromArray(S, c, cOff + 6 * ldc));
                c61 = c61.add(FloatVector.fromArray(S, c, cOff + 6 * ldc + L));
                c70 = c70.add(FloatVector.fromArray(S, c, cOff + 7 * ldc));
                c71 = c71.add(FloatVector.fromArray(S, c, cOff + 7 * ldc + L));
            }
            c00.intoArray(c, cOff);
            c01.intoArray(c, cOff + L);
            c10.intoArray(c, cOff + ldc);
            c11.intoArray(c, cOff + ldc + L);
            c20.intoArray(c, cOff + 2 * ldc);
            c21.intoArray(c, cOff + 2 * ldc + L);
            c30.intoArray(c, cOff + 3 * ldc);
            c31.intoArray(c, cOff + 3 * ldc + L);
            c40.intoArray(c, cOff + 4 * ldc);
            c41.intoArray(c, cOff + 4 * ldc + L);
            c50.intoArray(c, cOff + 5 * ldc);
            c51.intoArray(c, cOff + 5 * ldc + L);
            c60.intoArray(c, cOff + 6 * ldc);
            c61.intoArray(c, cOff + 6 * ldc + L);
            c70.intoArray(c, cOff + 7 * ldc);
            c71.intoArray(c, cOff + 7 * ldc + L);
            return;
        }
        // Edge tile: spill to a scratch tile, then copy the valid part.
        float[] t = EDGE_TILE.get();
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + L);
        c60.intoArray(t, 6 * NR);
        c61.intoArray(t, 6 * NR + L);
        c70.intoArray(t, 7 * NR);
        c71.intoArray(t, 7 * NR + L);
        int rows = Math.min(mValid, MR);
        int cols = Math.min(nValid, NR);
        for (int r = 0; r < rows; r++) {
            int co = cOff + r * ldc;
            for (int j = 0; j < cols; j++) {
                c[co + j] = load ? c[co + j] + t[r * NR + j] : t[r * NR + j];
            }
        }
    }

    private static final ThreadLocal<float[]> EDGE_TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);
}
