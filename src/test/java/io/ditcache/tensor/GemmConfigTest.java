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

    /** KC: largest power of two with a B chunk within 2/3 of L1d; MC x KC within half of L2; KC x NC within half of L3. */
    @Test
    void blockSizesFollowTheCaches() {
        for (String tile : GemmKernel.TILES.split(", ")) {
            GemmConfig c = GemmConfig.fromProperties(properties("tile", tile), ZEN2, GemmKernel.L, "amd64");
            int mr = c.kernel().mr;
            int nr = c.kernel().nr;
            assertEquals(Integer.highestOneBit(c.kc()), c.kc(), c.describe());
            assertTrue(4L * c.kc() * nr <= ZEN2.l1d() * 2 / 3 && 8L * c.kc() * nr > ZEN2.l1d() * 2 / 3, c.describe());
            assertTrue(c.mc() % mr == 0 && 4L * c.mc() * c.kc() <= ZEN2.l2() / 2 && 4L * (c.mc() + mr) * c.kc() > ZEN2.l2() / 2, c.describe());
            assertTrue(c.nc() % nr == 0 && 4L * c.nc() * c.kc() <= ZEN2.l3() / 2 && 4L * (c.nc() + nr) * c.kc() > ZEN2.l3() / 2, c.describe());
        }
        // 8-float vectors (AVX2): the 6 x 16 tile gets the KC of 256 tuned before and BLIS's Haswell setting.
        GemmConfig avx2 = GemmConfig.fromProperties(new Properties(), ZEN2, 8, "amd64");
        if (GemmKernel.L == 8) {
            assertEquals("tile 6x2 (6 x 16 floats), 8-float vectors; KC 256, MC 252, NC 4096 for L1d 32 KiB, L2 512 KiB,"
                    + " L3 8 MiB per cpu (test)", avx2.describe());
        }
        // 16-float vectors on a 48 KiB L1d (AVX-512 Zen 5, Ice Lake and later): KC 256 as tuned there.
        if (GemmKernel.L == 16) {
            assertEquals(256, GemmConfig.fromProperties(new Properties(), new CacheSizes(48 << 10, 1 << 20, 4 << 20, "t"), 16, "amd64").kc());
        }
    }

    @Test
    void propertiesOverrideAndTheRestFollows() {
        GemmConfig c = GemmConfig.fromProperties(properties("tile", "6x2", "kc", "64", "nc", "100"), ZEN2, 8, "amd64");
        assertEquals(64, c.kc());
        assertEquals(100, c.nc());
        assertEquals(6 * (256 * 1024 / (4 * 64) / 6), c.mc());
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
