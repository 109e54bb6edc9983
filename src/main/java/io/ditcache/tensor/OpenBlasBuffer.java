package io.ditcache.tensor;

import org.bytedeco.javacpp.FloatPointer;

/**
 * A growable block of native floats (one per thread and role in {@link OpenBlasGemm}) and the copies between it and
 * a row-strided block of a Java array. On JDK 17 native code cannot read a Java array in place without pinning it,
 * and JavaCPP's {@code float[]} overloads copy whole arrays, so the operands of each call are copied here: one bulk
 * copy when the rows are contiguous, else gathered into a Java staging array first (one native call instead of one
 * per row).
 */
final class OpenBlasBuffer {
    private FloatPointer memory;
    private long capacity;
    private float[] stage = new float[0];

    /** At least {@code floats} native floats, contents unspecified, at position 0. */
    FloatPointer reserve(long floats) {
        if (floats > capacity) {
            if (memory != null) {
                memory.close();
            }
            capacity = Math.max(floats, capacity + capacity / 2);
            memory = new FloatPointer(capacity);
        }
        return memory.position(0);
    }

    /** Copies {@code rows x cols} floats of {@code x} (row stride {@code ld} from {@code off}) here, contiguous. */
    FloatPointer put(float[] x, int off, int ld, int rows, int cols) {
        int n = rows * cols;
        FloatPointer p = reserve(n);
        if (ld == cols || rows == 1) {
            return p.put(x, off, n);
        }
        float[] s = stage(n);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, off + r * ld, s, r * cols, cols);
        }
        return p.put(s, 0, n);
    }

    /** Copies the first {@code rows x cols} floats here back into {@code x}, row stride {@code ld} from {@code off}. */
    void get(float[] x, int off, int ld, int rows, int cols) {
        int n = rows * cols;
        if (ld == cols || rows == 1) {
            memory.position(0).get(x, off, n);
            return;
        }
        float[] s = stage(n);
        memory.position(0).get(s, 0, n);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(s, r * cols, x, off + r * ld, cols);
        }
    }

    private float[] stage(int n) {
        if (stage.length < n) {
            stage = new float[n];
        }
        return stage;
    }
}
