package io.ditcache.tensor;

/**
 * A Linear weight W [out, in] packed once into the column panels {@link Gemm} feeds its micro-kernel, so a forward
 * pass does not re-pack constant weights on every call (for a DiT the packing otherwise costs as much as a tenth of
 * each GEMM). The pack does not keep W: {@link #unpack()} recovers it exactly, so a model may hold the panels alone.
 *
 * <p>Layout, for the register tile of the {@link GemmConfig} it is packed for (NR = the tile's columns): panel
 * {@code j} holds output features {@code j*NR .. j*NR+NR-1}; element (input p, feature jj) sits at
 * {@code j*in*NR + p*NR + jj}; features past {@code out} are zero. Results are bit-identical to the unpacked path.
 *
 * <p>With a native {@link GemmBackend} current when it is made, the weight is instead pinned once in that backend's
 * memory, unpacked ({@link NativeGemm#pin}: OpenBLAS packs its own panels per call), and multiplies there.
 */
public final class PackedWeight {
    private static final int TRANSPOSE_BLOCK = 64;
    private final GemmConfig config;
    private final float[] panels;
    private final NativeGemm.Weight pinned;
    private final int out;
    private final int in;

    private PackedWeight(GemmConfig config, float[] weight, int out, int in) {
        this.config = config;
        this.out = out;
        this.in = in;
        this.pinned = null;
        int nr = config.kernel().nr;
        int count = (out + nr - 1) / nr;
        this.panels = new float[count * in * nr];
        Parallel.parallelFor(0, count, j -> packPanel(weight, 0, in, true, out, j * nr, 0, in, nr, panels, j * in * nr));
    }

    private PackedWeight(NativeGemm backend, float[] weight, int out, int in) {
        this.config = null;
        this.out = out;
        this.in = in;
        this.panels = null;
        this.pinned = backend.pin(weight, out, in);
    }

    /**
     * Packs the panel of op(B) holding columns {@code j .. j+nr-1} (of n), k-values {@code p0 .. p0+kc-1}, into
     * {@code dst[dstOff + (p - p0)*nr + jj]}: B stored [n, k] with row stride {@code ldb} when {@code transB}
     * (a weight), else [k, n]. Columns past n are zeroed.
     */
    static void packPanel(float[] b, int bOff, int ldb, boolean transB, int n, int j, int p0, int kc, int nr,
                          float[] dst, int dstOff) {
        int features = Math.min(nr, n - j);
        if (transB) {
            // Blocks of k keep both the rows read and the panel rows written in L1.
            for (int q0 = 0; q0 < kc; q0 += TRANSPOSE_BLOCK) {
                int q1 = Math.min(kc, q0 + TRANSPOSE_BLOCK);
                for (int jj = 0; jj < features; jj++) {
                    int src = bOff + (j + jj) * ldb + p0;
                    for (int q = q0; q < q1; q++) {
                        dst[dstOff + q * nr + jj] = b[src + q];
                    }
                }
            }
        } else {
            for (int q = 0; q < kc; q++) {
                System.arraycopy(b, bOff + (p0 + q) * ldb + j, dst, dstOff + q * nr, features);
            }
        }
        if (features < nr) {
            for (int q = 0; q < kc; q++) {
                java.util.Arrays.fill(dst, dstOff + q * nr + features, dstOff + (q + 1) * nr, 0f);
            }
        }
    }

    /**
     * Packs {@code weight} [out, in] (row-major, as a PyTorch Linear stores it) for this JVM's GEMM settings, or pins
     * it for the current native backend.
     */
    public static PackedWeight of(float[] weight, int out, int in) {
        NativeGemm backend = GemmBackend.nativeGemm();
        if (backend != null) {
            check(weight, out, in);
            return new PackedWeight(backend, weight, out, in);
        }
        return of(GemmConfig.defaults(), weight, out, in);
    }

    /** Packs {@code weight} for the given settings (tests pack for every tile with it). */
    static PackedWeight of(GemmConfig config, float[] weight, int out, int in) {
        check(weight, out, in);
        return new PackedWeight(config, weight, out, in);
    }

    private static void check(float[] weight, int out, int in) {
        if (out <= 0 || in <= 0 || weight.length < out * in) {
            throw new IllegalArgumentException("PackedWeight: " + weight.length + " floats cannot hold [" + out + ", " + in + "]");
        }
    }

    /** A new copy of W [out, in], bit for bit the weight this was packed (or pinned) from. */
    public float[] unpack() {
        if (pinned != null) {
            return pinned.unpack();
        }
        int nr = config.kernel().nr;
        float[] w = new float[out * in];
        for (int f = 0; f < out; f++) {
            int src = (f / nr) * in * nr + f % nr;
            int dst = f * in;
            for (int p = 0; p < in; p++) {
                w[dst + p] = panels[src + p * nr];
            }
        }
        return w;
    }

    public int out() {
        return out;
    }

    public int in() {
        return in;
    }

    /** The settings the panels are laid out for, which {@link Gemm} multiplies them with; null when pinned. */
    GemmConfig config() {
        return config;
    }

    /** The panels; null when pinned. */
    float[] panels() {
        return panels;
    }

    /** The copy a native backend multiplies, or null for the Java kernel's panels. */
    NativeGemm.Weight pinned() {
        return pinned;
    }

    /** Bytes held by the packed (or pinned) copy. */
    public long bytes() {
        return pinned != null ? pinned.bytes() : 4L * panels.length;
    }
}
