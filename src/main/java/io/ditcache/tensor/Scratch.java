package io.ditcache.tensor;

/**
 * Per-thread scratch arrays for intermediates that do not outlive a call (a block's normalised input, its qkv, its
 * MLP hidden layer), so an inference forward pass allocates little more than what it returns. A DiT-XL/2 forward
 * otherwise allocates about 1 GB of such arrays, which made the collector's work (and page faults in a growing
 * heap) the main source of run-to-run variance. Arrays are reused only at the exact same size and are not cleared:
 * callers overwrite them completely. Distinct slots may be live at once; one slot holds one array at a time.
 */
public final class Scratch {
    /** Number of slots: {@code model.DiTBlock}'s intermediates take 0 to 5. */
    public static final int SLOTS = 7;
    /** The slot of a head's attention scores ({@code nn.SelfAttention}, tokens x tokens). */
    public static final int SCORES = 6;
    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[SLOTS][]);

    private Scratch() {
    }

    /** This thread's array for {@code slot}, of exactly {@code size} floats, with unspecified contents. */
    public static float[] get(int slot, int size) {
        float[][] a = ARRAYS.get();
        float[] x = a[slot];
        if (x == null || x.length != size) {
            x = new float[size];
            a[slot] = x;
        }
        return x;
    }

    /** This thread's array in {@code slot}, grown to at least {@code size} floats; contents unspecified. */
    static float[] atLeast(ThreadLocal<float[]> slot, int size) {
        float[] x = slot.get();
        if (x.length < size) {
            x = new float[size];
            slot.set(x);
        }
        return x;
    }
}
