package io.ditcache.tensor;

import static org.bytedeco.openblas.global.openblas_full.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_full.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_full.CblasTrans;
import static org.bytedeco.openblas.global.openblas_full.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_full.openblas_get_config;
import static org.bytedeco.openblas.global.openblas_full.openblas_get_corename;
import static org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads;

import org.bytedeco.javacpp.FloatPointer;

/**
 * The {@value GemmBackend#OPENBLAS} backend: {@code cblas_sgemm} of {@code org.bytedeco:openblas} on copies of the
 * operands in native memory ({@link OpenBlasBuffer}). Only this class and OpenBlasBuffer refer to bytedeco, and
 * {@link GemmBackend} loads it by name.
 *
 * <p>Threads: OpenBLAS is set to one thread and C is cut into blocks of columns (of rows when it has more rows than
 * columns), {@link Gemm#TASKS_PER_THREAD} per thread, each block one {@code cblas_sgemm} on a {@link Parallel} task.
 * So {@code ditcache.threads} / {@code --threads} counts for both backends; a GEMM inside a parallel region (one
 * attention head) runs on its caller's thread like the Java kernel's; and no second pool of spinning threads competes
 * with Parallel's helpers, which spin between the forward's hundreds of regions (OpenBLAS's own pool would sleep and
 * wake per call instead, or spin against ours). The cost: each block's call packs the shared operand again.
 *
 * <p>A weight is pinned once as a plain [out, in] copy in native memory (OpenBLAS packs its own panels per call), so
 * that products with it copy only the activations.
 */
final class OpenBlasGemm implements NativeGemm {
    /** Rows or columns per block are a multiple of this, whole micro-tiles of OpenBLAS's kernels. */
    private static final int ALIGN = 16;
    private static final ThreadLocal<OpenBlasBuffer> SHARED = ThreadLocal.withInitial(OpenBlasBuffer::new);
    private static final ThreadLocal<OpenBlasBuffer> SLICE = ThreadLocal.withInitial(OpenBlasBuffer::new);
    private static final ThreadLocal<OpenBlasBuffer> RESULT = ThreadLocal.withInitial(OpenBlasBuffer::new);
    private final String description;

    static {
        // Loads the natives (a missing jar fails here, when GemmBackend loads this class) and makes every call run on
        // its caller's thread, for the whole process.
        openblas_set_num_threads(1);
    }

    OpenBlasGemm() {
        description = "openblas backend, " + openblas_get_config().getString().trim() + ", core "
                + openblas_get_corename().getString() + "; one 1-thread cblas_sgemm per block of C, "
                + Gemm.TASKS_PER_THREAD + " blocks per ditcache thread; weights pinned unpacked in native memory";
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void matmul(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                       int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        multiply(new Operand(a, aOff, lda, transA, null), new Operand(b, bOff, ldb, !transB, null), c, cOff, ldc, m, n,
                k, accumulate);
    }

    @Override
    public Weight pin(float[] weight, int out, int in) {
        FloatPointer pinned = new FloatPointer((long) out * in).put(weight, 0, out * in);
        Operand w = new Operand(null, 0, in, false, pinned);
        return new Weight() {
            @Override
            public void multiply(float[] a, int aOff, float[] c, int cOff, int m, boolean accumulate) {
                OpenBlasGemm.multiply(new Operand(a, aOff, in, false, null), w, c, cOff, out, m, out, in, accumulate);
            }

            @Override
            public float[] unpack() {
                float[] copy = new float[out * in];
                pinned.position(0).get(copy, 0, copy.length);
                return copy;
            }

            @Override
            public long bytes() {
                return 4L * out * in;
            }
        };
    }

    /**
     * One side of the product seen as a matrix of k-vectors, [r, k]: op(A) has r = m rows, op(B)^T one per column of C.
     * Stored [r, k] with row stride {@code ld}, or k-major ([k, r]: a transposed A, an untransposed B); or, when
     * {@code pinned}, already in native memory as a contiguous [r, k].
     */
    private record Operand(float[] x, int off, int ld, boolean kMajor, FloatPointer pinned) {
        /** Rows {@code r0 .. r1} in native memory, contiguous (leading dimension {@link #ld(int, int)}). */
        FloatPointer rows(OpenBlasBuffer buffer, int r0, int r1, int k) {
            if (pinned != null) {
                return r0 == 0 ? pinned : pinned.getPointer((long) r0 * k);
            }
            return kMajor ? buffer.put(x, off + r0, ld, k, r1 - r0) : buffer.put(x, off + r0 * ld, ld, r1 - r0, k);
        }

        /** The native leading dimension of {@code count} rows. */
        int ld(int count, int k) {
            return kMajor ? count : k;
        }
    }

    private static void multiply(Operand a, Operand b, float[] c, int cOff, int ldc, int m, int n, int k,
                                 boolean accumulate) {
        boolean byColumns = n >= m;
        int extent = byColumns ? n : m;
        int threads = Parallel.threadsHere();
        int tasks = threads == 1 ? 1 : threads * Gemm.TASKS_PER_THREAD;
        int per = Math.min(extent, ((extent + tasks - 1) / tasks + ALIGN - 1) / ALIGN * ALIGN);
        int blocks = (extent + per - 1) / per;
        // The operand every block reads whole is copied once, by the caller.
        Operand whole = byColumns ? a : b;
        int wholeRows = byColumns ? m : n;
        FloatPointer shared = whole.rows(SHARED.get(), 0, wholeRows, k);
        Parallel.parallelFor(0, blocks, blk -> {
            int lo = blk * per;
            int hi = Math.min(extent, lo + per);
            OpenBlasBuffer slice = SLICE.get();
            FloatPointer pa = byColumns ? shared : a.rows(slice, lo, hi, k);
            FloatPointer pb = byColumns ? b.rows(slice, lo, hi, k) : shared;
            int i0 = byColumns ? 0 : lo;
            int rows = byColumns ? m : hi - lo;
            int j0 = byColumns ? lo : 0;
            int cols = byColumns ? hi - lo : n;
            OpenBlasBuffer result = RESULT.get();
            int cAt = cOff + i0 * ldc + j0;
            FloatPointer pc = accumulate ? result.put(c, cAt, ldc, rows, cols) : result.reserve((long) rows * cols);
            cblas_sgemm(CblasRowMajor, a.kMajor() ? CblasTrans : CblasNoTrans, b.kMajor() ? CblasNoTrans : CblasTrans,
                    rows, cols, k, 1f, pa, a.ld(rows, k), pb, b.ld(cols, k), accumulate ? 1f : 0f, pc, cols);
            result.get(c, cAt, ldc, rows, cols);
        });
    }
}
