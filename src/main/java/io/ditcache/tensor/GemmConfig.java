package io.ditcache.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * How {@link Gemm} multiplies: the micro-kernel (its register tile, see {@link GemmKernel}) and the blocking sizes,
 * named as in Goto's algorithm. A is packed into strips of the tile's mr rows and B into panels of its nr columns.
 * <ul>
 * <li>KC, k-values per micro-kernel call, {@value #KC} on every machine: the KC chunks of k are the order in which
 *     each element of C is summed, so a KC that followed the caches would give other bits on another machine (and a
 *     Spark job on mixed machines results that depend on where each task ran). Long chunks amortise each call's
 *     set-up and the read-modify-write of the C tile: on an AVX2 Zen 3 core (32 KiB L1d, 512 KiB L2) KC 2048 with
 *     the blocks below ran the DiT-XL/2 shapes 1.2-1.4x faster than the L1-sized 256 with L2-sized blocks (a B chunk
 *     then streams from L2, which the 6 x 2 tile's two B loads per 12 FMAs allow; bench/results/gemm-settings-*).
 * <li>MC, rows of packed A per block that B panels sweep: an MC x KC block fills a quarter of one cpu's share of
 *     L3 (on the Zen 3 core, blocks of 510 rows ran as fast as 1020 and faster than 2040 on the k = 4608 shape, and
 *     blocks sized to L2, 30-60 rows, 1.3x slower: each B panel is then read from L2 for too few strips).
 * <li>NC, columns of a packed weight per block that the row blocks sweep: a KC x NC block fills a quarter of one
 *     cpu's share of L3.
 * </ul>
 * With a packed weight, a pass over C covers {@link #kBlock} k-values (several KC chunks, so fewer passes over C) and
 * its blocks keep the floats of MC x KC and KC x NC in fewer rows and columns. Packing per call, each B chunk is
 * packed right before it sweeps all of a task's rows, so only KC applies.
 *
 * <p>{@link #defaults} is read once, at class init: the tile from the vector unit, the sizes from {@link CacheSizes},
 * each overridden by a system property {@code ditcache.gemm.tile} ({@value GemmKernel#TILES}), {@code ditcache.gemm.kc},
 * {@code .mc} or {@code .nc}; an MC or NC is used in whole strips or panels.
 *
 * @param origin where the settings came from, for reports
 */
record GemmConfig(GemmKernel kernel, int kc, int mc, int nc, String origin) {
    static final String PROPERTY = "ditcache.gemm.";
    /** The default KC, the same on every machine (see the class comment). */
    static final int KC = 2048;
    private static final int MAX_KC = 1 << 14;
    private static final int MAX_BLOCK = 1 << 24;
    private static final GemmConfig DEFAULT;
    private static final String DEFAULT_ERROR;

    static {
        GemmConfig config = null;
        String error = null;
        try {
            config = fromProperties(System.getProperties(), CacheSizes.read(CacheSizes.SYS), GemmKernel.L,
                    System.getProperty("os.arch"));
        } catch (IllegalArgumentException e) {
            error = e.getMessage();
        }
        DEFAULT = config;
        DEFAULT_ERROR = error;
    }

    GemmConfig {
        if (kc < 1 || kc > MAX_KC || mc < 1 || mc > MAX_BLOCK || nc < 1 || nc > MAX_BLOCK) {
            throw new IllegalArgumentException("GemmConfig: KC " + kc + ", MC " + mc + ", NC " + nc + " out of range");
        }
    }

    /** This JVM's settings; a bad {@code ditcache.gemm.*} property fails every call with its message. */
    static GemmConfig defaults() {
        if (DEFAULT == null) {
            throw new IllegalArgumentException(DEFAULT_ERROR);
        }
        return DEFAULT;
    }

    /** The settings for a vector unit of {@code floats}-wide vectors on {@code arch}, these caches and properties. */
    static GemmConfig fromProperties(Properties p, CacheSizes caches, int floats, String arch) {
        List<String> set = new ArrayList<>();
        String tile = property(p, "tile", set);
        GemmKernel kernel = tile == null ? GemmKernel.forVectorUnit(floats, arch) : GemmKernel.of(tile);
        if (kernel == null) {
            throw new IllegalArgumentException(PROPERTY + "tile=" + tile + ": no such tile; there are " + GemmKernel.TILES);
        }
        int kc = size(p, "kc", KC, MAX_KC, set);
        int mc = size(p, "mc", fit(kernel.mr, caches.l3() / 4, kc), MAX_BLOCK, set);
        int nc = size(p, "nc", fit(kernel.nr, caches.l3() / 4, kc), MAX_BLOCK, set);
        return new GemmConfig(kernel, kc, mc, nc, caches + (set.isEmpty() ? "" : "; set by -D" + String.join(" -D", set)));
    }

    /** The largest multiple of {@code unit} (at least one) whose rows of {@code kc} floats fit in {@code bytes}. */
    private static int fit(int unit, long bytes, int kc) {
        return unit * (int) Math.max(1, Math.min(MAX_BLOCK / unit, bytes / (4L * kc) / unit));
    }

    private static String property(Properties p, String name, List<String> set) {
        String v = p.getProperty(PROPERTY + name);
        if (v == null) {
            return null;
        }
        set.add(PROPERTY + name + "=" + v);
        return v.trim();
    }

    private static int size(Properties p, String name, int fallback, int max, List<String> set) {
        String v = property(p, name, set);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(PROPERTY + name + "=" + v + ": expected a whole number from 1 to " + max);
    }

    /** k-values per pass over C with a packed weight: a row block still holds at least 16 strips. */
    int kBlock() {
        return kc * Math.max(1, mc / (16 * kernel.mr));
    }

    /** Rows per A block in a pass over {@code depth} k-values: the floats of MC x KC, in whole strips. */
    int blockRows(int depth) {
        return kernel.mr * (int) Math.max(1, Math.min(MAX_BLOCK, (long) mc * kc / ((long) kernel.mr * depth)));
    }

    /** Columns per B block in a pass over {@code depth} k-values: the floats of KC x NC, in whole panels. */
    int blockColumns(int depth) {
        return kernel.nr * (int) Math.max(1, Math.min(MAX_BLOCK, (long) nc * kc / ((long) kernel.nr * depth)));
    }

    /** One line for {@code info} and benchmark headers. */
    String describe() {
        return "tile " + kernel.tile() + " (" + kernel.mr + " x " + kernel.nr + " floats), " + GemmKernel.L + "-float vectors; KC "
                + kc + ", MC " + mc + ", NC " + nc + " for " + origin;
    }
}
