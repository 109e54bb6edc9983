package io.ditcache.cache;

import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Tensor;

/**
 * The stored unit outputs of one trajectory: per unit, the tensor [forwardBatch, tokens, hidden] of the most
 * recent step that computed it, for the whole forward batch (with guidance, the conditional and null halves
 * together). Tensors are kept by reference, never copied: a DiT unit returns a fresh array that nothing mutates
 * later, so reuse costs nothing. Memory is therefore at most one tensor per unit,
 * {@link #bound(DiTConfig, int) 2 * depth * forwardBatch * tokens * hidden * 4} bytes.
 */
public final class FeatureCache {
    private final Tensor[] slots;
    private long bytes;
    private long peakBytes;

    public FeatureCache(int units) {
        if (units < 1) {
            throw new IllegalArgumentException("a feature cache needs at least one unit, got " + units);
        }
        this.slots = new Tensor[units];
    }

    /** The memory bound in bytes for a model and a forward batch (2B with guidance). */
    public static long bound(DiTConfig c, int forwardBatch) {
        return 2L * c.depth() * forwardBatch * c.tokens() * c.hidden() * Float.BYTES;
    }

    public int units() {
        return slots.length;
    }

    /** Empties every slot (start of a trajectory). The peak is kept: it describes the whole run. */
    public void reset() {
        java.util.Arrays.fill(slots, null);
        bytes = 0;
    }

    /** The stored tensor of {@code unit}, or null when the slot is empty. */
    public Tensor get(int unit) {
        return slots[unit];
    }

    public boolean isEmpty(int unit) {
        return slots[unit] == null;
    }

    /** Stores {@code t} as the latest computed value of {@code unit}, replacing the previous one. */
    public void put(int unit, Tensor t) {
        Tensor old = slots[unit];
        if (old != null) {
            bytes -= (long) old.numel() * Float.BYTES;
        }
        slots[unit] = t;
        bytes += (long) t.numel() * Float.BYTES;
        peakBytes = Math.max(peakBytes, bytes);
    }

    /** Bytes held now. */
    public long bytes() {
        return bytes;
    }

    /** Most bytes held at any time since construction. */
    public long peakBytes() {
        return peakBytes;
    }
}
