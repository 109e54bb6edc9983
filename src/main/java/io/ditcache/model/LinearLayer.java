package io.ditcache.model;

import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.PackedWeight;
import io.ditcache.tensor.Tensor;
import io.ditcache.tensor.WeightPrecision;

/**
 * A Linear of the model ({@code x_embedder.proj}, {@code t_embedder.mlp}, {@code attn.qkv}, {@code attn.proj},
 * {@code mlp.fc1}, {@code mlp.fc2}, {@code final_layer.linear}, and the per-sample {@code adaLN_modulation}s): its
 * weight W [out, in] held either plain or, after {@link #pack}, only as its GEMM panels ({@link PackedWeight}, fp32 or bf16),
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

    /** {@code weight} as the checkpoint stores it ([out, in], or [out, C, p, p] for the patch conv), held plain. */
    LinearLayer(Tensor weight, Tensor bias) {
        this.bias = bias;
        this.shape = weight.shape();
        this.out = weight.dim(0);
        this.in = weight.numel() / out;
        this.held = weight;
    }

    /** A weight of the checkpoint's {@code shape}, already packed. */
    LinearLayer(PackedWeight packed, int[] shape, Tensor bias) {
        this.bias = bias;
        this.shape = shape.clone();
        this.out = packed.out();
        this.in = packed.in();
        this.held = packed;
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

    /** Packs W at {@code precision} and lets the plain copy go (a packed W stays as it is). */
    synchronized void pack(WeightPrecision precision) {
        if (held instanceof Tensor t) {
            held = PackedWeight.of(t.data(), out, in, precision);
        }
    }

    /** The precision of the packed W, or null while plain. */
    WeightPrecision precision() {
        return held instanceof PackedWeight p ? p.precision() : null;
    }

    /** Recovers the plain W (exact; of a bf16 pack, the rounded W) and lets the panels go: needed before W is changed in place. */
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
