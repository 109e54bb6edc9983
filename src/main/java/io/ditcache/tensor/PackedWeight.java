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
 * <p>With {@link WeightPrecision#BF16} the panels are stored as bfloat16 ({@link Bf16}: half the memory) and
 * {@link Gemm} widens them to float block by block as it multiplies: the results are bit-identical to an fp32 pack
 * of the weight rounded to bf16.
 *
 * <p>With a native {@link GemmBackend} current when it is made, the weight is instead pinned once in that backend's
 * memory, unpacked ({@link NativeGemm#pin}: OpenBLAS packs its own panels per call), and multiplies there (fp32 only).
 */
public final class PackedWeight {
    private static final int TRANSPOSE_BLOCK = 64;
    /** Per thread: one fp32 panel on its way to bf16. */
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);
    private final GemmConfig config;
    private final float[] panels;
    private final short[] bf16Panels;
    private final NativeGemm.Weight pinned;
    private final int out;
    private final int in;

    private PackedWeight(GemmConfig config, float[] weight, int out, int in, WeightPrecision precision) {
        this.config = config;
        this.out = out;
        this.in = in;
        this.pinned = null;
        int nr = config.kernel().nr;
        int count = (out + nr - 1) / nr;
        if (precision == WeightPrecision.BF16) {
            // Panel by panel through a float buffer: no fp32 copy of the whole pack is made.
            short[] half = new short[count * in * nr];
            Parallel.parallelFor(0, count, j -> {
                float[] panel = PANEL.get();
                if (panel.length < in * nr) {
                    panel = new float[in * nr];
                    PANEL.set(panel);
                }
                packPanel(weight, 0, in, true, out, j * nr, 0, in, nr, panel, 0);
                Bf16.round(panel, 0, half, j * in * nr, in * nr);
            });
            this.panels = null;
            this.bf16Panels = half;
        } else {
            float[] packed = new float[count * in * nr];
            Parallel.parallelFor(0, count, j -> packPanel(weight, 0, in, true, out, j * nr, 0, in, nr, packed, j * in * nr));
            this.panels = packed;
            this.bf16Panels = null;
        }
    }

    private PackedWeight(NativeGemm backend, float[] weight, int out, int in) {
        this.config = null;
        this.out = out;
        this.in = in;
        this.panels = null;
        this.bf16Panels = null;
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
        return of(weight, out, in, WeightPrecision.FP32);
    }

    /**
     * Packs {@code weight} [out, in] stored at {@code precision}; bf16 needs the Java GEMM (a native backend
     * multiplies fp32 only: a clear error says so).
     */
    public static PackedWeight of(float[] weight, int out, int in, WeightPrecision precision) {
        NativeGemm backend = GemmBackend.nativeGemm();
        if (backend != null) {
            if (precision != WeightPrecision.FP32) {
                throw new IllegalArgumentException("bf16 weights need the Java GEMM backend, not " + GemmBackend.name()
                        + " (-D" + GemmBackend.PROPERTY + "=java)");
            }
            check(weight, out, in);
            return new PackedWeight(backend, weight, out, in);
        }
        return of(GemmConfig.defaults(), weight, out, in, precision);
    }

    /** Packs {@code weight} for the given settings (tests pack for every tile with it). */
    static PackedWeight of(GemmConfig config, float[] weight, int out, int in) {
        return of(config, weight, out, in, WeightPrecision.FP32);
    }

    /** Packs {@code weight} for the given settings and precision. */
    static PackedWeight of(GemmConfig config, float[] weight, int out, int in, WeightPrecision precision) {
        check(weight, out, in);
        return new PackedWeight(config, weight, out, in, precision);
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
                w[dst + p] = panels != null ? panels[src + p * nr] : Bf16.toFloat(bf16Panels[src + p * nr]);
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

    /** The fp32 panels; null when pinned or bf16. */
    float[] panels() {
        return panels;
    }

    /** The bf16 panels, same layout; null unless stored at {@link WeightPrecision#BF16}. */
    short[] bf16Panels() {
        return bf16Panels;
    }

    /** How the panels are stored (a pinned weight: fp32). */
    public WeightPrecision precision() {
        return bf16Panels != null ? WeightPrecision.BF16 : WeightPrecision.FP32;
    }

    /**
     * {@code dst[dstOff ..]} = floats {@code from .. from+len-1} of the panels, widened from bf16 where so stored:
     * the fp32 view {@link Gemm} multiplies with.
     */
    void panelFloats(int from, float[] dst, int dstOff, int len) {
        if (panels != null) {
            System.arraycopy(panels, from, dst, dstOff, len);
        } else {
            Bf16.widen(bf16Panels, from, dst, dstOff, len);
        }
    }

    /** The copy a native backend multiplies, or null for the Java kernel's panels. */
    NativeGemm.Weight pinned() {
        return pinned;
    }

    /** Bytes held by the packed (or pinned) copy. */
    public long bytes() {
        return pinned != null ? pinned.bytes() : panels != null ? 4L * panels.length : 2L * bf16Panels.length;
    }
}
