package io.ditcache.tensor;

/**
 * A GEMM backend in native code ({@link GemmBackend}), with {@link Gemm}'s contract: row-major
 * {@code C = op(A) op(B) (+ C)}, strides as stored, m, n, k at least 1 (Gemm handles the empty cases). Implementations
 * split the work over {@link Parallel}'s threads themselves, so that {@code ditcache.threads} counts for every backend.
 */
interface NativeGemm {
    /** The backend and its settings, for {@code info} and benchmark headers. */
    String describe();

    /** Same contract as Gemm's strided {@code matmul}. */
    void matmul(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                int m, int n, int k, boolean transA, boolean transB, boolean accumulate);

    /** W [out, in] copied once into the memory and layout this backend multiplies from (a {@link PackedWeight}). */
    Weight pin(float[] weight, int out, int in);

    /** A weight pinned by {@link #pin}. */
    interface Weight {
        /** {@code C[m, out] (+)= A[m, in] * W^T}, A and C contiguous; the same result as the unpinned product. */
        void multiply(float[] a, int aOff, float[] c, int cOff, int m, boolean accumulate);

        /** A new copy of W [out, in], bit for bit the weight pinned. */
        float[] unpack();

        /** Bytes the pinned copy holds. */
        long bytes();
    }
}
