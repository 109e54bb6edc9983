package io.ditcache.model;

import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.PackedWeight;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;

/**
 * A Linear of the model ({@code x_embedder.proj}, {@code t_embedder.mlp}, {@code attn.qkv}, {@code attn.proj},
 * {@code mlp.fc1}, {@code mlp.fc2}, {@code final_layer.linear}, and the per-sample {@code adaLN_modulation}s): its
 * weight W [out, in] held either plain or, after {@link #pack()}, only as its GEMM panels ({@link PackedWeight}),
 * from which {@link #weightTensor()} recovers W bit for bit. The forward gives the same bits either way. Packing and unpacking are made atomic for readers: a forward running meanwhile
 * sees one form or the other.
 */
final class LinearLayer {
    private final Tensor bias;
    private final int[] shape;
    private final int out;
    private final int in;
    /** The plain weight (a {@link Tensor} of the checkpoint's shape) or its {@link PackedWeight}. */
    private volatile Object held;

    /** {@code weight} as the checkpoint stores it ([out, in], or [out, C, p, p] for the patch conv). */
    LinearLayer(Tensor weight, Tensor bias) {
        this.bias = bias;
        this.shape = weight.shape();
        this.out = weight.dim(0);
        this.in = weight.numel() / out;
        this.held = weight;
    }

    /** The Linear {@code name} of a checkpoint: {@code name.weight} [out, in] and {@code name.bias} [out]. */
    static LinearLayer of(StateDict w, String name, int out, int in) {
        return new LinearLayer(w.get(name + ".weight", out, in), w.get(name + ".bias", out));
    }

    int out() {
        return out;
    }

    int in() {
        return in;
    }

    /** y [rows, out] = x [rows, in] W^T + b. */
    void forward(float[] x, int rows, float[] y) {
        Object w = held;
        if (w instanceof PackedWeight p) {
            Gemm.linearInto(x, rows, p, bias.data(), y);
        } else {
            Gemm.linearInto(x, rows, in, ((Tensor) w).data(), bias.data(), out, y);
        }
    }

    /** W in the checkpoint's shape: the plain tensor itself, or, while packed, an exact copy. */
    Tensor weightTensor() {
        Object w = held;
        return w instanceof PackedWeight p ? Tensor.of(p.unpack(), shape) : (Tensor) w;
    }

    boolean isPacked() {
        return held instanceof PackedWeight;
    }

    /** Packs W and lets the plain copy go. */
    synchronized void pack() {
        if (held instanceof Tensor t) {
            held = PackedWeight.of(t.data(), out, in);
        }
    }

    /** Recovers the plain W (exact) and lets the panels go: needed before W is changed in place. */
    synchronized void unpack() {
        if (held instanceof PackedWeight) {
            held = weightTensor();
        }
    }

    /** Bytes W takes as held now (the panels are padded to whole tile columns). */
    long bytes() {
        Object w = held;
        return w instanceof PackedWeight p ? p.bytes() : 4L * ((Tensor) w).numel();
    }
}
