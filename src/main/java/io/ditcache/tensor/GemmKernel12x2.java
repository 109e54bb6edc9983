package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * The 12 x 2-vector tile, for 32 vector registers (AVX-512): 24 accumulators, the 2 vectors of a B row and a
 * broadcast. 12 x 32 floats measured fastest among 4..14 rows x 2..4 vectors (about 85% of FMA peak on one AVX-512
 * core).
 */
final class GemmKernel12x2 extends GemmKernel {
    private static final int MR = 12;
    private static final int NR = 2 * L;

    GemmKernel12x2() {
        super(MR, 2);
    }

    @Override
    void microKernel(float[] ap, int apOff, float[] bp, int bpOff, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        // Offsets walked, not p * MR, as in the 6 x 2 tile (lets the JIT drop A's bounds checks).
        for (int ao = apOff, bo = bpOff, end = apOff + kc * MR; ao < end; ao += MR, bo += NR) {
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
            x = FloatVector.broadcast(S, ap[ao + 8]);
            c80 = b0.fma(x, c80);
            c81 = b1.fma(x, c81);
            x = FloatVector.broadcast(S, ap[ao + 9]);
            c90 = b0.fma(x, c90);
            c91 = b1.fma(x, c91);
            x = FloatVector.broadcast(S, ap[ao + 10]);
            c100 = b0.fma(x, c100);
            c101 = b1.fma(x, c101);
            x = FloatVector.broadcast(S, ap[ao + 11]);
            c110 = b0.fma(x, c110);
            c111 = b1.fma(x, c111);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR);
        c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR);
        c91.intoArray(tile, 9 * NR + L);
        c100.intoArray(tile, 10 * NR);
        c101.intoArray(tile, 10 * NR + L);
        c110.intoArray(tile, 11 * NR);
        c111.intoArray(tile, 11 * NR + L);
    }

    @Override
    void microKernel(float[] a, int aOff, int lda, int rows, float[] bp, int bpOff, int kc, float[] tile) {
        int a1 = aOff + (rows > 1 ? lda : 0);
        int a2 = aOff + (rows > 2 ? 2 * lda : 0);
        int a3 = aOff + (rows > 3 ? 3 * lda : 0);
        int a4 = aOff + (rows > 4 ? 4 * lda : 0);
        int a5 = aOff + (rows > 5 ? 5 * lda : 0);
        int a6 = aOff + (rows > 6 ? 6 * lda : 0);
        int a7 = aOff + (rows > 7 ? 7 * lda : 0);
        int a8 = aOff + (rows > 8 ? 8 * lda : 0);
        int a9 = aOff + (rows > 9 ? 9 * lda : 0);
        int a10 = aOff + (rows > 10 ? 10 * lda : 0);
        int a11 = aOff + (rows > 11 ? 11 * lda : 0);
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        for (int p = 0, bo = bpOff; p < kc; p++, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector x = FloatVector.broadcast(S, a[aOff + p]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(S, a[a6 + p]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(S, a[a7 + p]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
            x = FloatVector.broadcast(S, a[a8 + p]);
            c80 = b0.fma(x, c80);
            c81 = b1.fma(x, c81);
            x = FloatVector.broadcast(S, a[a9 + p]);
            c90 = b0.fma(x, c90);
            c91 = b1.fma(x, c91);
            x = FloatVector.broadcast(S, a[a10 + p]);
            c100 = b0.fma(x, c100);
            c101 = b1.fma(x, c101);
            x = FloatVector.broadcast(S, a[a11 + p]);
            c110 = b0.fma(x, c110);
            c111 = b1.fma(x, c111);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR);
        c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR);
        c91.intoArray(tile, 9 * NR + L);
        c100.intoArray(tile, 10 * NR);
        c101.intoArray(tile, 10 * NR + L);
        c110.intoArray(tile, 11 * NR);
        c111.intoArray(tile, 11 * NR + L);
    }
}
