package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernel behind {@link Gemm}: an {@link #mr} x {@link #nr} tile {@code Ap * Bp} over a
 * chunk of k, with A packed into strips of mr rows and B into panels of nr columns, both k-major (see
 * {@link GemmConfig} for the packing and blocking that follow the tile). The tile is {@code rows x vectors} of
 * {@link #S}, one subclass per shape: its accumulators are locals of one hot method, so that they stay in vector
 * registers (passing a {@code FloatVector} to a helper the JIT does not inline, or looping over an array of them,
 * costs several times the speed). The kernel writes its tile to a small scratch array and {@link #storeTile} adds
 * it into C, which keeps the hot method small enough for the JIT's register allocators.
 *
 * <p>Which tile: one that fills the vector registers without spilling, rows x vectors accumulators plus the
 * vectors of a B row plus one broadcast of A. 32 registers (AVX-512, and ARM's NEON and SVE) take
 * {@link GemmKernel12x2} (24 + 2 + 1); 16 registers (AVX2, SSE) take {@link GemmKernel6x2} (12 + 2 + 1). On an
 * AVX2-only AMD Zen 1 core a probe of the tile alone (A and B in L1, k = 256) measured 38.6 GFLOP/s for 6 x 2 against
 * 25.7 for 12 x 2 (which spills there) and 32.0 for 4 x 3. The JVM tells the vector shape
 * ({@code SPECIES_PREFERRED}: 16 floats means AVX-512), not the register count, so 8 floats or fewer count as 16
 * registers except on aarch64. {@code -Dditcache.gemm.tile=12x2|6x2} overrides the choice.
 */
abstract sealed class GemmKernel permits GemmKernel12x2, GemmKernel6x2 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = S.length();
    /** The tile shapes there are, as {@code rows x vectors}. */
    static final String TILES = "12x2, 6x2";
    /** Rows of C per micro-tile. */
    final int mr;
    /** Columns of C per micro-tile: a whole number of vectors. */
    final int nr;

    GemmKernel(int mr, int vectors) {
        this.mr = mr;
        this.nr = vectors * L;
    }

    /** The kernel for a tile named {@code rows x vectors}, e.g. "6x2"; null for a shape there is no kernel for. */
    static GemmKernel of(String tile) {
        return switch (tile) {
            case "12x2" -> new GemmKernel12x2();
            case "6x2" -> new GemmKernel6x2();
            default -> null;
        };
    }

    /** The tile for a vector unit of {@code floats}-wide vectors on {@code arch} (as {@code os.arch} names it). */
    static GemmKernel forVectorUnit(int floats, String arch) {
        boolean registers32 = floats >= 16 || "aarch64".equals(arch);
        return registers32 ? new GemmKernel12x2() : new GemmKernel6x2();
    }

    /** {@code rows x vectors}, e.g. "6x2". */
    String tile() {
        return mr + "x" + nr / L;
    }

    /**
     * {@code tile[r*nr + j] = sum_{p < kc} Ap[p, r] * Bp[p, j]} for the whole mr x nr tile.
     *
     * @param ap packed A strip, element (p, r) at {@code ap[apOff + p*mr + r]}
     * @param bp packed B panel, element (p, j) at {@code bp[bpOff + p*nr + j]}
     */
    abstract void microKernel(float[] ap, int apOff, float[] bp, int bpOff, int kc, float[] tile);

    /**
     * {@link #microKernel} with A read in place instead of from a packed strip: {@code tile[r*nr + j] = sum_{p < kc}
     * A[r, p] * Bp[p, j]}, the same FMAs in the same order (so the same bits). For a weight of few panels, where each
     * packed float of A would serve only a few panels ({@link Gemm}'s in-place path).
     *
     * @param a    row-major A, element (r, p) at {@code a[aOff + r*lda + p]}
     * @param rows rows of A there are ({@code 1..mr}); the tile's rows past them repeat row 0, to be dropped
     */
    abstract void microKernel(float[] a, int aOff, int lda, int rows, float[] bp, int bpOff, int kc, float[] tile);

    /**
     * {@code C[r, j] (+)= tile[r*nr + j]} for rows {@code r < mValid} and columns {@code j < nValid}.
     *
     * @param load add into C instead of overwriting it
     */
    final void storeTile(float[] tile, float[] c, int cOff, int ldc, int mValid, int nValid, boolean load) {
        int rows = Math.min(mValid, mr);
        int cols = Math.min(nValid, nr);
        for (int r = 0; r < rows; r++) {
            int co = cOff + r * ldc;
            int to = r * nr;
            int j = 0;
            for (; j <= cols - L; j += L) {
                FloatVector v = FloatVector.fromArray(S, tile, to + j);
                if (load) {
                    v = v.add(FloatVector.fromArray(S, c, co + j));
                }
                v.intoArray(c, co + j);
            }
            for (; j < cols; j++) {
                c[co + j] = load ? c[co + j] + tile[to + j] : tile[to + j];
            }
        }
    }
}
