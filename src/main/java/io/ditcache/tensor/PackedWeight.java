package io.ditcache.tensor;

import static io.ditcache.tensor.GemmKernel.NR;

/**
 * A Linear weight W [out, in] packed once into the column panels {@link Gemm} feeds its micro-kernel, so a forward
 * pass does not re-pack constant weights on every call (for a DiT the packing otherwise costs as much as a tenth of
 * each GEMM). The pack is a copy: it goes stale if W is modified afterwards, and its owner must drop it then.
 *
 * <p>Layout: panel {@code j} holds output features {@code j*NR .. j*NR+NR-1}; element (input p, feature jj) sits at
 * {@code j*in*NR + p*NR + jj}; features past {@code out} are zero. Results are bit-identical to the unpacked path.
 */
public final class PackedWeight {
    private final float[] weight;
    private final float[] panels;
    private final int out;
    private final int in;

    private PackedWeight(float[] weight, int out, int in) {
        this.weight = weight;
        this.out = out;
        this.in = in;
        int count = (out + NR - 1) / NR;
        this.panels = new float[count * in * NR];
        Parallel.parallelFor(0, count, j -> {
            int base = j * in * NR;
            int features = Math.min(NR, out - j * NR);
            for (int jj = 0; jj < features; jj++) {
                int src = (j * NR + jj) * in;
                for (int p = 0; p < in; p++) {
                    panels[base + p * NR + jj] = weight[src + p];
                }
            }
        });
    }

    /** Packs {@code weight} [out, in] (row-major, as a PyTorch Linear stores it). */
    public static PackedWeight of(float[] weight, int out, int in) {
        if (out <= 0 || in <= 0 || weight.length < out * in) {
            throw new IllegalArgumentException("PackedWeight: " + weight.length + " floats cannot hold [" + out + ", " + in + "]");
        }
        return new PackedWeight(weight, out, in);
    }

    /** The unpacked weight this was made from (used where packing does not pay, e.g. a few rows). */
    public float[] weight() {
        return weight;
    }

    public int out() {
        return out;
    }

    public int in() {
        return in;
    }

    float[] panels() {
        return panels;
    }

    /** Offset of the packed k-values starting at {@code p0} for the panel holding feature {@code j}. */
    int offset(int j, int p0) {
        return (j / NR) * in * NR + p0 * NR;
    }

    /** Bytes held by the packed copy. */
    public long bytes() {
        return 4L * panels.length;
    }
}
