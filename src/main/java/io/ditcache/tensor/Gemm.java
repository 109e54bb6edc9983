package io.ditcache.tensor;

import static io.ditcache.tensor.GemmKernel.MR;
import static io.ditcache.tensor.GemmKernel.NR;

/**
 * General matrix multiply on row-major float arrays: {@code C[M,N] = op(A)[M,K] * op(B)[K,N] (+ C)}.
 * {@code op(A)} is A or its transpose (then A is stored [K,M]); likewise B (stored [N,K] when transposed,
 * which is the layout of a PyTorch Linear weight). Used by the forward pass and, with the other transposes,
 * by the backward pass.
 *
 * <p>Goto-style blocking: op(A) is packed once per call into k-major strips of {@link GemmKernel#MR} rows (which
 * also absorbs a transposed A), op(B) into {@link GemmKernel#NR}-wide column panels (or comes packed once per
 * model as a {@link PackedWeight}). C is split into tasks of column panels x row blocks on {@link Parallel}; a
 * task sweeps each B panel, {@link #KC} k-values at a time (in L1), over a block of A strips that stays in L2,
 * with the {@link GemmKernel} micro-kernel. A C of at most {@link SkinnyGemm#MAX_ROWS} rows goes to
 * {@link SkinnyGemm} instead. Calls made from inside a parallel region run on the calling thread.
 */
public final class Gemm {
    /** k-values per packed chunk: a packed B panel (KC x NR floats) stays in L1. */
    static final int KC = 256;

    private static final ThreadLocal<float[]> PACK_A = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PACK_B = ThreadLocal.withInitial(() -> new float[KC * NR]);
    /**
     * Packed A floats per row block: a block stays in L2 while every B panel sweeps it. 1 MiB by default;
     * {@code -Dditcache.gemm.aBlockKiB} sets it (for tuning to another core's L2; at least 16 KiB is used).
     */
    static final int A_BLOCK_FLOATS = Math.max(16, Integer.getInteger("ditcache.gemm.aBlockKiB", 1024)) * 256;
    /** k-values per pass over C: a row block of at least 16 strips of packed A then still fits {@link #A_BLOCK_FLOATS}. */
    static final int K_BLOCK = KC * Math.max(1, A_BLOCK_FLOATS / (MR * 16) / KC);
    /** Tasks per thread: enough to balance a shared machine, few enough to keep each task's B panels long. */
    static final int TASKS_PER_THREAD = 2;
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private Gemm() {
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
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        if (m <= SkinnyGemm.MAX_ROWS) {
            SkinnyGemm.matmul(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, n, k, transA, transB, accumulate);
            return;
        }
        blocked(a, aOff, lda, transA, b, bOff, ldb, transB, null, c, cOff, ldc, m, n, k, accumulate);
    }

    /**
     * {@code C[m,n] (+)= A[m,k] * W^T} for a weight packed once ({@link PackedWeight}, W [n,k]); bit-identical to
     * {@code matmul(a, aOff, w.weight(), 0, c, cOff, m, n, k, false, true, accumulate)}.
     */
    public static void matmul(float[] a, int aOff, PackedWeight w, float[] c, int cOff, int m, boolean accumulate) {
        int n = w.out();
        int k = w.in();
        if (m <= SkinnyGemm.MAX_ROWS) {
            matmul(a, aOff, w.weight(), 0, c, cOff, m, n, k, false, true, accumulate);
            return;
        }
        blocked(a, aOff, k, false, w.weight(), 0, k, true, w, c, cOff, n, m, n, k, accumulate);
    }

    /** The blocked path for m > {@link SkinnyGemm#MAX_ROWS}; {@code packedB}, when given, replaces packing B. */
    private static void blocked(float[] a, int aOff, int lda, boolean transA, float[] b, int bOff, int ldb,
                                boolean transB, PackedWeight packedB, float[] c, int cOff, int ldc,
                                int m, int n, int k, boolean accumulate) {
        int rowStrips = (m + MR - 1) / MR;
        float[] pa = PACK_A.get();
        if (pa.length < rowStrips * MR * k) {
            pa = new float[rowStrips * MR * k];
            PACK_A.set(pa);
        }
        packA(a, aOff, lda, transA, m, k, pa);
        int panels = (n + NR - 1) / NR;
        // Split columns into groups of panels; split rows too when there are few column panels.
        int tasks = Parallel.threadsHere() == 1 ? 1 : Parallel.threadsHere() * TASKS_PER_THREAD;
        int groups = Math.min(panels, tasks);
        int rowBlocks = Math.min(rowStrips, Math.max(1, (tasks + groups - 1) / groups));
        int panelsPerGroup = (panels + groups - 1) / groups;
        groups = (panels + panelsPerGroup - 1) / panelsPerGroup;
        int stripsPerBlock = (rowStrips + rowBlocks - 1) / rowBlocks;
        rowBlocks = (rowStrips + stripsPerBlock - 1) / stripsPerBlock;
        int nGroups = groups;
        float[] fpa = pa;
        Parallel.parallelFor(0, nGroups * rowBlocks, task -> {
            int g = task % nGroups;
            int rb = task / nGroups;
            int j0 = g * panelsPerGroup * NR;
            int j1 = Math.min(n, j0 + panelsPerGroup * NR);
            int i0 = rb * stripsPerBlock * MR;
            int i1 = Math.min(m, i0 + stripsPerBlock * MR);
            block(fpa, b, bOff, ldb, transB, n, packedB, c, cOff, ldc, i0, i1, j0, j1, k, accumulate);
        });
    }

    /**
     * C[i0:i1, j0:j1] over all of k, on the calling thread; per element of C the {@link #KC} chunks add in k order,
     * whatever the blocking. With a packed weight, rows go in blocks whose packed A stays in L2 and each B panel is
     * swept chunk by chunk (in L1) over a block, so the C tiles a chunk updates are still cached from the previous
     * chunk. Otherwise each B chunk is packed right before it is swept over all the task's rows (packed once).
     */
    private static void block(float[] pa, float[] b, int bOff, int ldb, boolean transB, int n, PackedWeight packedB,
                              float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1, int k, boolean accumulate) {
        float[] tile = TILE.get();
        float[] bp = packedB != null ? packedB.panels() : PACK_B.get();
        int kBlock = packedB != null ? K_BLOCK : KC;
        for (int kb = 0; kb < k; kb += kBlock) {
            int ke = Math.min(k, kb + kBlock);
            int blockRows = packedB == null ? i1 - i0 : MR * Math.max(1, A_BLOCK_FLOATS / (MR * (ke - kb)));
            for (int ic = i0; ic < i1; ic += blockRows) {
                int ie = Math.min(i1, ic + blockRows);
                for (int j = j0; j < j1; j += NR) {
                    int nValid = Math.min(NR, j1 - j);
                    for (int pc = kb; pc < ke; pc += KC) {
                        int kc = Math.min(KC, ke - pc);
                        int panel = 0;
                        if (packedB != null) {
                            panel = (j / NR) * k * NR + pc * NR;
                        } else {
                            PackedWeight.packPanel(b, bOff, ldb, transB, n, j, pc, kc, bp, 0);
                        }
                        boolean load = accumulate || pc > 0;
                        for (int i = ic; i < ie; i += MR) {
                            GemmKernel.microKernel(pa, i * k + pc * MR, bp, panel, kc, tile);
                            GemmKernel.storeTile(tile, c, cOff + i * ldc + j, ldc, i1 - i, nValid, load);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs op(A) [m,k] into strips of MR rows, k-major: element (i, p) goes to
     * {@code pa[(i/MR)*MR*k + p*MR + i%MR]}; rows past m are zero.
     */
    private static void packA(float[] a, int aOff, int lda, boolean transA, int m, int k, float[] pa) {
        Parallel.parallelFor(0, (m + MR - 1) / MR, s -> packStrip(a, aOff, lda, transA, m, k, pa, s));
    }

    /** Packs strip {@code s} (rows s*MR ..) of op(A), as {@link #packA}. */
    private static void packStrip(float[] a, int aOff, int lda, boolean transA, int m, int k, float[] pa, int s) {
        int i0 = s * MR;
        int rows = Math.min(MR, m - i0);
        int base = i0 * k;
        if (transA) {
            for (int p = 0; p < k; p++) {
                int src = aOff + p * lda + i0;
                int dst = base + p * MR;
                for (int r = 0; r < rows; r++) {
                    pa[dst + r] = a[src + r];
                }
                for (int r = rows; r < MR; r++) {
                    pa[dst + r] = 0f;
                }
            }
            return;
        }
        // KC k-values at a time, so that the strip being interleaved (MR x KC floats) stays in L1 across its MR rows.
        for (int p0 = 0; p0 < k; p0 += KC) {
            int p1 = Math.min(k, p0 + KC);
            for (int r = 0; r < MR; r++) {
                if (r < rows) {
                    int src = aOff + (i0 + r) * lda;
                    for (int p = p0; p < p1; p++) {
                        pa[base + p * MR + r] = a[src + p];
                    }
                } else {
                    for (int p = p0; p < p1; p++) {
                        pa[base + p * MR + r] = 0f;
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
