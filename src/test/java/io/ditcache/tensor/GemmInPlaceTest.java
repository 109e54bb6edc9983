package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The packed-weight GEMM that reads A in place (few panels, e.g. a 64-channel convolution): bit for bit the packed
 * path, on every tile whatever this machine would choose, and close to the naive loop.
 */
class GemmInPlaceTest {
    /** m past whole strips (a ragged last strip), n around panel edges up to the limit, k over several KC chunks. */
    @Test
    void inPlaceIsBitIdenticalToPackedAndMatchesTheNaiveLoop() {
        Random rng = new Random(21);
        for (String tile : GemmKernel.TILES.split(", ")) {
            GemmKernel kernel = GemmKernel.of(tile);
            int mr = kernel.mr;
            int nr = kernel.nr;
            for (GemmConfig config : new GemmConfig[]{new GemmConfig(kernel, 7, 2 * mr + 1, nr, "kc 7"),
                new GemmConfig(kernel, 64, 4096, 4096, "kc 64")}) {
                int kc = config.kc();
                int[][] shapes = {{mr + 1, 1, 3}, {2 * mr - 1, nr - 1, kc - 1}, {3 * mr + 5, nr + 3, 2 * kc + 3},
                    {5 * mr, 4 * nr, 3 * kc + 1}, {4 * mr + 1, Gemm.IN_PLACE_PANELS * nr, 2 * kc}};
                for (int[] s : shapes) {
                    for (boolean acc : new boolean[]{false, true}) {
                        check(config, rng, s[0], s[1], s[2], acc);
                    }
                }
            }
        }
    }

    private static void check(GemmConfig config, Random rng, int m, int n, int k, boolean acc) {
        float[] a = Reference.random(rng, m * k);
        float[] w = Reference.random(rng, n * k);
        float[] c0 = Reference.random(rng, m * n);
        PackedWeight pw = PackedWeight.of(config, w, n, k);
        float[] packed = c0.clone();
        Gemm.matmul(a, 0, pw, packed, 0, m, acc, false);
        String what = config.describe() + ": m=" + m + " n=" + n + " k=" + k + " acc=" + acc;
        for (int threads : new int[]{1, 3}) {
            float[] inPlace = c0.clone();
            Parallel.withThreads(threads, () -> {
                Gemm.matmul(a, 0, pw, inPlace, 0, m, acc, true);
                return null;
            });
            assertArrayEquals(packed, inPlace, 0f, what + ", " + threads + " thread(s)");
        }
        double[] want = GemmTest.naive(a, 0, k, w, 0, k, c0, 0, n, m, n, k, false, true, acc);
        Reference.assertClose(what, want, packed, 0, 1e-5 * Math.sqrt(k + 1));
    }

    /** A at an offset, as the convolution's bands are not: the in-place kernel reads from aOff on. */
    @Test
    void inPlaceHonoursTheOffsetOfA() {
        Random rng = new Random(22);
        GemmConfig config = GemmConfig.defaults();
        int m = 3 * config.kernel().mr + 2;
        int n = 2 * config.kernel().nr + 5;
        int k = 41;
        int off = 13;
        float[] a = Reference.random(rng, off + m * k);
        float[] w = Reference.random(rng, n * k);
        PackedWeight pw = PackedWeight.of(config, w, n, k);
        float[] packed = new float[7 + m * n];
        float[] inPlace = new float[7 + m * n];
        Gemm.matmul(a, off, pw, packed, 7, m, false, false);
        Gemm.matmul(a, off, pw, inPlace, 7, m, false, true);
        assertArrayEquals(packed, inPlace, 0f);
        double[] want = GemmTest.naive(a, off, k, w, 0, k, packed, 7, n, m, n, k, false, true, false);
        Reference.assertClose("offset", want, packed, 7, 1e-5 * Math.sqrt(k + 1));
    }

    /** The public entry reads A in place up to {@link Gemm#IN_PLACE_PANELS} panels and packs it past them. */
    @Test
    void fewPanelsReadAInPlaceAndManyPackIt() {
        GemmConfig config = GemmConfig.defaults();
        int nr = config.kernel().nr;
        assertTrue(Gemm.readsAInPlace(config, 1));
        assertTrue(Gemm.readsAInPlace(config, Gemm.IN_PLACE_PANELS * nr));
        assertFalse(Gemm.readsAInPlace(config, Gemm.IN_PLACE_PANELS * nr + 1));
        assertFalse(Gemm.readsAInPlace(config, 1152));
    }
}
