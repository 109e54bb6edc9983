package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every register tile on this machine, whatever tile it would choose itself: against the naive loop on shapes around
 * the tile's edges, with every transpose, packed weights and blocks small enough that each blocking loop runs
 * several times; and bit for bit against each other.
 */
class GemmTilesTest {
    /** Each tile with this machine's block sizes, and with tiny ones (odd KC, MC of two strips and a bit, NC one panel). */
    private static List<GemmConfig> configs() {
        List<GemmConfig> out = new ArrayList<>();
        for (String tile : GemmKernel.TILES.split(", ")) {
            GemmKernel kernel = GemmKernel.of(tile);
            out.add(GemmConfig.fromProperties(properties("tile", tile), CacheSizes.read(CacheSizes.SYS), GemmKernel.L, "amd64"));
            out.add(new GemmConfig(kernel, 7, 2 * kernel.mr + 1, kernel.nr, "tiny blocks"));
        }
        return out;
    }

    static java.util.Properties properties(String... nameValues) {
        java.util.Properties p = new java.util.Properties();
        for (int i = 0; i < nameValues.length; i += 2) {
            p.setProperty(GemmConfig.PROPERTY + nameValues[i], nameValues[i + 1]);
        }
        return p;
    }

    private static void check(GemmConfig config, Random rng, int m, int n, int k, boolean ta, boolean tb, boolean acc) {
        float[] a = Reference.random(rng, m * k);
        float[] b = Reference.random(rng, n * k);
        float[] c = Reference.random(rng, m * n);
        double[] want = GemmTest.naive(a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, m, n, k, ta, tb, acc);
        Gemm.matmul(config, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, m, n, k, ta, tb, acc);
        String what = config.describe() + ": m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " acc=" + acc;
        Reference.assertClose(what, want, c, 0, 1e-5 * Math.sqrt(k + 1));
    }

    @Test
    void everyTileMatchesTheNaiveLoopAroundItsEdges() {
        Random rng = new Random(11);
        for (GemmConfig config : configs()) {
            int mr = config.kernel().mr;
            int nr = config.kernel().nr;
            int kc = config.kc();
            int t = 0;
            for (int m : new int[]{1, mr - 1, mr, mr + 1, 3 * mr + 5}) {
                for (int n : new int[]{1, nr - 1, nr, nr + 1, 2 * nr + 3}) {
                    for (int k : new int[]{1, kc - 1, kc + 1, 2 * kc + 3}) {
                        t++;
                        check(config, rng, m, n, Math.max(1, k), (t & 1) != 0, (t & 2) != 0, (t & 4) != 0);
                    }
                }
            }
        }
    }

    /** k past several k-blocks and column blocks (tiny blocks) and past KC (this machine's), every transpose. */
    @Test
    void everyTileMatchesTheNaiveLoopAtLargeK() {
        Random rng = new Random(12);
        for (GemmConfig config : configs()) {
            for (int t = 0; t < 8; t++) {
                check(config, rng, 2 * config.kernel().mr + 3, config.kernel().nr + 5, 1100, (t & 1) != 0, (t & 2) != 0, (t & 4) != 0);
            }
        }
    }

    /**
     * A packed weight multiplies with the tile it was packed for. The last shape gives each task (on up to 3 threads)
     * several panels and strips, so that the tiny blocks split it.
     */
    @Test
    void everyTileWithAPackedWeight() {
        Random rng = new Random(13);
        for (GemmConfig config : configs()) {
            int mr = config.kernel().mr;
            int nr = config.kernel().nr;
            int kc = config.kc();
            for (int[] s : new int[][]{{mr + 1, nr - 1, 3}, {5, nr + 1, kc + 1}, {3 * mr + 1, 3 * nr + 1, 2 * kc + 5},
                {4 * mr - 1, 2 * nr, 700}, {5 * mr + 1, 13 * nr + 3, 3 * kc + 2}}) {
                PackedWeightTest.check(config, rng, s[0], s[1], s[2]);
            }
        }
    }

    /** Per element of C the same fmas run in the same order whatever the tile: with one KC, the tiles agree bit for bit. */
    @Test
    void tilesAgreeBitForBitAtOneKc() {
        Random rng = new Random(14);
        int m = 61;
        int n = 250;
        int k = 600;
        float[] a = Reference.random(rng, m * k);
        float[] b = Reference.random(rng, n * k);
        float[] first = null;
        for (String tile : GemmKernel.TILES.split(", ")) {
            GemmKernel kernel = GemmKernel.of(tile);
            for (GemmConfig config : new GemmConfig[]{new GemmConfig(kernel, 64, 4096, 4096, "kc 64"),
                new GemmConfig(kernel, 64, kernel.mr, kernel.nr, "kc 64, small blocks")}) {
                float[] c = new float[m * n];
                Gemm.matmul(config, a, 0, k, b, 0, k, c, 0, n, m, n, k, false, true, false);
                float[] packed = new float[m * n];
                Gemm.matmul(a, 0, PackedWeight.of(config, b, n, k), packed, 0, m, false);
                if (first == null) {
                    first = c;
                }
                assertArrayEquals(first, c, 0f, config.describe());
                assertArrayEquals(first, packed, 0f, config.describe() + ", packed");
            }
        }
    }
}
