package io.ditcache.tensor;

import static io.ditcache.tensor.GemmTilesTest.properties;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class GemmConfigTest {
    private static final CacheSizes ZEN2 = new CacheSizes(32 << 10, 512 << 10, 8 << 20, "test");

    @Test
    void theTileFollowsTheVectorUnit() {
        Properties none = new Properties();
        assertEquals("12x2", GemmConfig.fromProperties(none, ZEN2, 16, "amd64").kernel().tile());
        assertEquals("6x2", GemmConfig.fromProperties(none, ZEN2, 8, "amd64").kernel().tile());
        assertEquals("6x2", GemmConfig.fromProperties(none, ZEN2, 4, "amd64").kernel().tile());
        assertEquals("12x2", GemmConfig.fromProperties(none, ZEN2, 4, "aarch64").kernel().tile());
        assertEquals("12x2", GemmConfig.fromProperties(properties("tile", "12x2"), ZEN2, 8, "amd64").kernel().tile());
        assertEquals("6x2", GemmConfig.fromProperties(properties("tile", " 6x2 "), ZEN2, 16, "amd64").kernel().tile());
    }

    /** KC: the same on every machine; MC x KC and KC x NC within a quarter of one cpu's L3. */
    @Test
    void blockSizesFollowTheCaches() {
        CacheSizes xeon = new CacheSizes(48 << 10, 2 << 20, 120 << 20, "test");
        for (CacheSizes caches : new CacheSizes[] {ZEN2, xeon}) {
            for (String tile : GemmKernel.TILES.split(", ")) {
                GemmConfig c = GemmConfig.fromProperties(properties("tile", tile), caches, GemmKernel.L, "amd64");
                int mr = c.kernel().mr;
                int nr = c.kernel().nr;
                assertEquals(GemmConfig.KC, c.kc(), c.describe());
                long quarter = caches.l3() / 4;
                assertTrue(c.mc() % mr == 0 && 4L * c.mc() * c.kc() <= quarter && 4L * (c.mc() + mr) * c.kc() > quarter,
                        c.describe());
                assertTrue(c.nc() % nr == 0 && 4L * c.nc() * c.kc() <= quarter && 4L * (c.nc() + nr) * c.kc() > quarter,
                        c.describe());
            }
        }
        // 8-float vectors (AVX2) on a Zen 2/3 core's caches, as measured there (bench/results/gemm-settings-*).
        GemmConfig avx2 = GemmConfig.fromProperties(new Properties(), ZEN2, 8, "amd64");
        if (GemmKernel.L == 8) {
            assertEquals("tile 6x2 (6 x 16 floats), 8-float vectors; KC 2048, MC 252, NC 256 for L1d 32 KiB, L2 512 KiB,"
                    + " L3 8 MiB per cpu (test)", avx2.describe());
        }
    }

    @Test
    void propertiesOverrideAndTheRestFollows() {
        GemmConfig c = GemmConfig.fromProperties(properties("tile", "6x2", "kc", "64", "nc", "100"), ZEN2, 8, "amd64");
        assertEquals(64, c.kc());
        assertEquals(100, c.nc());
        assertEquals(6 * ((8 << 20) / 4 / (4 * 64) / 6), c.mc());
        assertTrue(c.describe().endsWith("(test); set by -Dditcache.gemm.tile=6x2 -Dditcache.gemm.kc=64 -Dditcache.gemm.nc=100"),
                c.describe());
    }

    @Test
    void badPropertiesAreNamed() {
        String[][] bad = {{"tile", "13x2", "ditcache.gemm.tile=13x2: no such tile; there are 12x2, 6x2"},
            {"kc", "abc", "ditcache.gemm.kc=abc: expected a whole number from 1 to 16384"},
            {"kc", "0", "ditcache.gemm.kc=0: expected a whole number from 1 to 16384"},
            {"mc", "-12", "ditcache.gemm.mc=-12: expected a whole number from 1 to 16777216"},
            {"nc", "99999999999", "ditcache.gemm.nc=99999999999: expected a whole number from 1 to 16777216"}};
        for (String[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GemmConfig.fromProperties(properties(b[0], b[1]), ZEN2, 8, "amd64"));
            assertEquals(b[2], e.getMessage());
        }
    }

    /** Blocks deeper than KC keep the floats of MC x KC and KC x NC, in whole strips and panels, at least one. */
    @Test
    void deeperPassesTakeFewerRowsAndColumns() {
        GemmConfig c = new GemmConfig(GemmKernel.of("6x2"), 256, 252, 4096, "test");
        assertEquals(256 * Math.max(1, 252 / 96), c.kBlock());
        assertEquals(252, c.blockRows(256));
        assertEquals(126, c.blockRows(512));
        assertEquals(6, c.blockRows(1 << 20));
        int nr = c.kernel().nr;
        assertEquals(nr * (4096 * 256 / (nr * 1024)), c.blockColumns(1024));
        assertEquals(nr, c.blockColumns(1 << 30));
    }
}
