package io.ditcache.tensor;

/**
 * General matrix multiply on row-major float arrays: {@code C[M,N] = op(A)[M,K] * op(B)[K,N] (+ C)}.
 * {@code op(A)} is A or its transpose (then A is stored [K,M]); likewise B (stored [N,K] when transposed,
 * which is the layout of a PyTorch Linear weight). Used by the forward pass and, with the other transposes,
 * by the backward pass.
 *
 * <p>Goto-style blocking, with the register tile and block sizes of a {@link GemmConfig} (chosen for this machine's
 * vector unit and caches): op(A) is packed once per call into k-major strips of the tile's rows (which also absorbs a
 * transposed A), op(B) into column panels of the tile's width (or comes packed once per model as a
 * {@link PackedWeight}). C is split into tasks of column panels x row blocks on {@link Parallel}; a task sweeps each
 * B panel, KC k-values at a time, over a block of A strips (sized by {@link GemmConfig}), with the {@link GemmKernel}
 * micro-kernel. A C of at most {@link SkinnyGemm#MAX_ROWS} rows goes to {@link SkinnyGemm} instead, and a packed
 * weight of at most {@link #IN_PLACE_PANELS} panels reads A in place ({@link #inPlace}). Calls made from inside a
 * parallel region run on the calling thread.
 *
 * <p>That is the {@value GemmBackend#JAVA} backend; with {@code -Dditcache.gemm.backend=openblas} ({@link GemmBackend})
 * the public methods multiply with OpenBLAS instead, and {@link PackedWeight} pins weights for it.
 */
public final class Gemm {
    /** Tasks per thread: enough to balance a shared machine, few enough to keep each task's B panels long. */
    static final int TASKS_PER_THREAD = 2;
    private static final ThreadLocal<float[]> PACK_A = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PACK_B = ThreadLocal.withInitial(() -> new float[0]);
    /**
     * The most panels a packed weight may have for A to be read in place ({@link #inPlace}). On a 2-cpu AVX2 Zen 3
     * (6 x 16 tile) in place ran 1.3-1.4x faster at 4 panels (once 1.06x; TAESD's 64-channel 3x3 convolutions,
     * k = 576), 1.0-1.2x at 8, 0.97-1.07x at 16 and 0.8-0.9x at 32 and more (the DiT shapes);
     * bench/results/gemm-settings-2026-12-02-203*. Not measured with the AVX-512 tile (12 x 32), where 8 panels are
     * 256 columns.
     */
    static final int IN_PLACE_PANELS = 8;
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[0]);
    /** Per thread: a block of bf16 panels widened to float for one pass. */
    private static final ThreadLocal<float[]> WIDE_B = ThreadLocal.withInitial(() -> new float[0]);

    private Gemm() {
    }

    /**
     * The backend this JVM multiplies with and its settings: for Java the register tile, vector width and block sizes
     * and where they came from (for {@code info} and benchmark headers).
     */
    public static String settings() {
        NativeGemm nativeGemm = GemmBackend.nativeGemm();
        return nativeGemm != null ? nativeGemm.describe() : GemmBackend.JAVA + " backend, " + GemmConfig.defaults().describe();
    }

    /**
     * @param transA A is stored as [K,M] row-major
     * @param transB B is stored as [N,K] row-major
     * @param accumulate add into C instead of overwriting it
     */
    public static void matmul(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                              int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        matmul(a, aOff, transA ? m : k, b, bOff, transB ? k : n, c, cOff, n, m, n, k, transA, transB, accumulate);
    }

    /**
     * Strided form of {@link #matmul(float[], int, float[], int, float[], int, int, int, int, boolean, boolean, boolean)}:
     * {@code lda}, {@code ldb}, {@code ldc} are the row strides of A, B and C as stored (e.g. a head's slice of a
     * packed qkv row has stride 3*d).
     */
    public static void matmul(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                              int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        NativeGemm nativeGemm = GemmBackend.nativeGemm();
        if (nativeGemm == null) {
            matmul(GemmConfig.defaults(), a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, n, k, transA, transB, accumulate);
        } else if (!empty(c, cOff, ldc, m, n, k, accumulate)) {
            nativeGemm.matmul(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, n, k, transA, transB, accumulate);
        }
    }

    /** The strided form with the given settings instead of this JVM's (tests run every tile with it). */
    static void matmul(GemmConfig config, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff,
                       int ldc, int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        if (empty(c, cOff, ldc, m, n, k, accumulate)) {
            return;
        }
        if (m <= SkinnyGemm.MAX_ROWS) {
            SkinnyGemm.matmul(config.kc(), a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, n, k, transA, transB, accumulate);
            return;
        }
        blocked(config, a, aOff, lda, transA, b, bOff, ldb, transB, null, c, cOff, ldc, m, n, k, accumulate);
    }

    /** Whether there is nothing to multiply (m, n or k empty); then C is cleared if k is empty and not accumulating. */
    private static boolean empty(float[] c, int cOff, int ldc, int m, int n, int k, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return true;
        }
        if (k > 0) {
            return false;
        }
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
        }
        return true;
    }

    /**
     * {@code C[m,n] (+)= A[m,k] * W^T} for a weight packed once ({@link PackedWeight}, W [n,k]); bit-identical to
     * {@code matmul(a, aOff, W, 0, c, cOff, m, n, k, false, true, accumulate)} with the settings {@code w} was
     * packed for (with the backend it was packed for: a weight pinned by a native one multiplies there). A C of at
     * most {@link SkinnyGemm#MAX_ROWS} rows reads the panels in place (one pass over W, same sums).
     */
    public static void matmul(float[] a, int aOff, PackedWeight w, float[] c, int cOff, int m, boolean accumulate) {
        matmul(a, aOff, w, c, cOff, m, accumulate, w.pinned() == null && readsAInPlace(w.config(), w.out()));
    }

    /** The packed-weight product, reading A in place ({@link #inPlace}) or packing it as {@code inPlace} says. */
    static void matmul(float[] a, int aOff, PackedWeight w, float[] c, int cOff, int m, boolean accumulate,
                       boolean inPlace) {
        int n = w.out();
        int k = w.in();
        if (w.pinned() != null) {
            if (m > 0) {
                w.pinned().multiply(a, aOff, c, cOff, m, accumulate);
            }
            return;
        }
        if (m <= SkinnyGemm.MAX_ROWS) {
            if (!empty(c, cOff, n, m, n, k, accumulate)) {
                SkinnyGemm.packed(w, a, aOff, c, cOff, m, accumulate);
            }
            return;
        }
        if (inPlace) {
            inPlace(w.config(), a, aOff, w, c, cOff, m, accumulate);
            return;
        }
        blocked(w.config(), a, aOff, k, false, null, 0, k, true, w, c, cOff, n, m, n, k, accumulate);
    }

    /** Whether a packed weight of {@code n} outputs multiplies with A read in place: {@link #IN_PLACE_PANELS}. */
    static boolean readsAInPlace(GemmConfig config, int n) {
        return (n + config.kernel().nr - 1) / config.kernel().nr <= IN_PLACE_PANELS;
    }

    /**
     * {@code C[m, n] (+)= A[m, k] * W^T} with A read in place by the micro-kernel, not packed: the path for a weight of
     * few panels (a 64-channel convolution has 4 of 16 columns), where each packed float of A would serve only a few
     * panels and packing cost more than half the multiply. Per KC chunk (outer), each strip of mr rows runs over
     * every panel while its rows are in L1, the chunk of all panels staying in L2. Tasks are blocks of strips. Per
     * element of C the chunks add in k order as in {@link #block}, so the bits are the packed path's.
     */
    private static void inPlace(GemmConfig config, float[] a, int aOff, PackedWeight w, float[] c, int cOff, int m,
                                boolean accumulate) {
        GemmKernel kernel = config.kernel();
        int mr = kernel.mr;
        int nr = kernel.nr;
        int n = w.out();
        int k = w.in();
        int strips = (m + mr - 1) / mr;
        int tasks = Math.min(strips, Parallel.threadsHere() == 1 ? 1 : Parallel.threadsHere() * TASKS_PER_THREAD);
        int perTask = (strips + tasks - 1) / tasks;
        Parallel.parallelFor(0, (strips + perTask - 1) / perTask, t -> {
            float[] tile = Scratch.atLeast(TILE, mr * nr);
            int i1 = Math.min(m, (t + 1) * perTask * mr);
            for (int pc = 0; pc < k; pc += config.kc()) {
                int kc = Math.min(config.kc(), k - pc);
                float[] bp = w.panels();
                if (bp == null) { // bf16: widen this chunk of every panel (few panels here) once per task
                    bp = Scratch.atLeast(WIDE_B, ((n + nr - 1) / nr) * kc * nr);
                    for (int j = 0; j < n; j += nr) {
                        w.panelFloats((j / nr) * k * nr + pc * nr, bp, (j / nr) * kc * nr, kc * nr);
                    }
                }
                boolean wide = bp != w.panels();
                for (int i = t * perTask * mr; i < i1; i += mr) {
                    for (int j = 0; j < n; j += nr) {
                        int panel = wide ? (j / nr) * kc * nr : (j / nr) * k * nr + pc * nr;
                        kernel.microKernel(a, aOff + i * k + pc, k, m - i, bp, panel, kc, tile);
                        kernel.storeTile(tile, c, cOff + i * n + j, n, m - i, n - j, accumulate || pc > 0);
                    }
                }
            }
        });
    }

    /** The blocked path for m > {@link SkinnyGemm#MAX_ROWS}; {@code packedB}, when given, replaces packing B. */
    private static void blocked(GemmConfig config, float[] a, int aOff, int lda, boolean transA, float[] b, int bOff,
                                int ldb, boolean transB, PackedWeight packedB, float[] c, int cOff, int ldc,
                                int m, int n, int k, boolean accumulate) {
        int mr = config.kernel().mr;
        int nr = config.kernel().nr;
        int rowStrips = (m + mr - 1) / mr;
        float[] pa = Scratch.atLeast(PACK_A, rowStrips * mr * k);
        Parallel.parallelFor(0, rowStrips, s -> packStrip(a, aOff, lda, transA, m, k, mr, config.kc(), pa, s));
        int panels = (n + nr - 1) / nr;
        // Split columns into groups of panels; split rows too when there are few column panels.
        int tasks = Parallel.threadsHere() == 1 ? 1 : Parallel.threadsHere() * TASKS_PER_THREAD;
        int groups = Math.min(panels, tasks);
        int rowBlocks = Math.min(rowStrips, Math.max(1, (tasks + groups - 1) / groups));
        int panelsPerGroup = (panels + groups - 1) / groups;
        groups = (panels + panelsPerGroup - 1) / panelsPerGroup;
        int stripsPerBlock = (rowStrips + rowBlocks - 1) / rowBlocks;
        rowBlocks = (rowStrips + stripsPerBlock - 1) / stripsPerBlock;
        int nGroups = groups;
        Parallel.parallelFor(0, nGroups * rowBlocks, task -> {
            int g = task % nGroups;
            int rb = task / nGroups;
            int j0 = g * panelsPerGroup * nr;
            int j1 = Math.min(n, j0 + panelsPerGroup * nr);
            int i0 = rb * stripsPerBlock * mr;
            int i1 = Math.min(m, i0 + stripsPerBlock * mr);
            block(config, pa, b, bOff, ldb, transB, n, packedB, c, cOff, ldc, i0, i1, j0, j1, k, accumulate);
        });
    }

    /**
     * C[i0:i1, j0:j1] over all of k, on the calling thread; per element of C the KC chunks add in k order, whatever
     * the blocking or the tile. With a packed weight, each pass over {@link GemmConfig#kBlock} k-values sweeps blocks
     * of B columns over blocks of rows (both sized to a share of L3), each B panel chunk by chunk, so
     * the C tiles a chunk updates are still cached from the previous chunk (bf16 panels are widened to float a B block
     * at a time, once per pass, for all its row blocks). Otherwise each B chunk is packed right before it is swept over
     * all the task's rows (packed once).
     */
    private static void block(GemmConfig config, float[] pa, float[] b, int bOff, int ldb, boolean transB, int n,
                              PackedWeight packedB, float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1, int k,
                              boolean accumulate) {
        GemmKernel kernel = config.kernel();
        int mr = kernel.mr;
        int nr = kernel.nr;
        int kcMax = config.kc();
        float[] tile = Scratch.atLeast(TILE, mr * nr);
        float[] bp = packedB != null ? packedB.panels() : Scratch.atLeast(PACK_B, kcMax * nr);
        boolean widen = packedB != null && bp == null;
        int kBlock = packedB != null ? config.kBlock() : kcMax;
        for (int kb = 0; kb < k; kb += kBlock) {
            int ke = Math.min(k, kb + kBlock);
            int depth = ke - kb;
            int blockRows = packedB == null ? i1 - i0 : config.blockRows(depth);
            int blockColumns = packedB == null ? j1 - j0 : config.blockColumns(depth);
            for (int jc = j0; jc < j1; jc += blockColumns) {
                int je = Math.min(j1, jc + blockColumns);
                if (widen) {
                    bp = Scratch.atLeast(WIDE_B, ((je - jc + nr - 1) / nr) * depth * nr);
                    for (int j = jc; j < je; j += nr) {
                        packedB.panelFloats((j / nr) * k * nr + kb * nr, bp, ((j - jc) / nr) * depth * nr, depth * nr);
                    }
                }
                for (int ic = i0; ic < i1; ic += blockRows) {
                    int ie = Math.min(i1, ic + blockRows);
                    for (int j = jc; j < je; j += nr) {
                        int nValid = Math.min(nr, j1 - j);
                        for (int pc = kb; pc < ke; pc += kcMax) {
                            int kc = Math.min(kcMax, ke - pc);
                            int panel = 0;
                            if (widen) {
                                panel = ((j - jc) / nr) * depth * nr + (pc - kb) * nr;
                            } else if (packedB != null) {
                                panel = (j / nr) * k * nr + pc * nr;
                            } else {
                                PackedWeight.packPanel(b, bOff, ldb, transB, n, j, pc, kc, nr, bp, 0);
                            }
                            boolean load = accumulate || pc > 0;
                            for (int i = ic; i < ie; i += mr) {
                                kernel.microKernel(pa, i * k + pc * mr, bp, panel, kc, tile);
                                kernel.storeTile(tile, c, cOff + i * ldc + j, ldc, i1 - i, nValid, load);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs strip {@code s} (rows s*mr ..) of op(A) [m,k] into strips of mr rows, k-major: element (i, p) goes to
     * {@code pa[(i/mr)*mr*k + p*mr + i%mr]}; rows past m are zero.
     */
    private static void packStrip(float[] a, int aOff, int lda, boolean transA, int m, int k, int mr, int kc, float[] pa,
                                  int s) {
        int i0 = s * mr;
        int rows = Math.min(mr, m - i0);
        int base = i0 * k;
        if (transA) {
            for (int p = 0; p < k; p++) {
                int src = aOff + p * lda + i0;
                int dst = base + p * mr;
                for (int r = 0; r < rows; r++) {
                    pa[dst + r] = a[src + r];
                }
                for (int r = rows; r < mr; r++) {
                    pa[dst + r] = 0f;
                }
            }
            return;
        }
        // kc k-values at a time (so one chunk for most shapes since KC is 2048; 256-wide chunks, nearer L1, and a k-outer
        // loop with sequential writes were no faster on Zen 3, bench/results/gemm-probes-2026-12-02).
        for (int p0 = 0; p0 < k; p0 += kc) {
            int p1 = Math.min(k, p0 + kc);
            for (int r = 0; r < mr; r++) {
                if (r < rows) {
                    int src = aOff + (i0 + r) * lda;
                    for (int p = p0; p < p1; p++) {
                        pa[base + p * mr + r] = a[src + p];
                    }
                } else {
                    for (int p = p0; p < p1; p++) {
                        pa[base + p * mr + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * A linear layer: {@code y[rows, out] = x[rows, in] * W^T + bias}, with W stored [out, in] as in PyTorch.
     * {@code bias} may be null.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int in = weight.dim(1);
        int out = weight.dim(0);
        if (x.dim(-1) != in) {
            throw new IllegalArgumentException("linear: input " + x.shapeString() + " does not match weight " + weight.shapeString());
        }
        int rows = x.numel() / in;
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        Tensor y = Tensor.zeros(shape);
        linearInto(x.data(), rows, in, weight.data(), bias == null ? null : bias.data(), out, y.data());
        return y;
    }

    /** {@code y[rows,out] = x[rows,in] * W^T + bias} with a packed weight; bit-identical to the unpacked form. */
    public static void linearInto(float[] x, int rows, PackedWeight w, float[] bias, float[] y) {
        matmul(x, 0, w, y, 0, rows, false);
        if (bias != null) {
            Ops.addRowBias(y, rows, w.out(), bias);
        }
    }

    /** {@code y[rows,out] = x[rows,in] * W^T + bias} into a preallocated array. */
    public static void linearInto(float[] x, int rows, int in, float[] w, float[] bias, int out, float[] y) {
        matmul(x, 0, w, 0, y, 0, rows, out, in, false, true, false);
        if (bias != null) {
            Ops.addRowBias(y, rows, out, bias);
        }
    }
}
