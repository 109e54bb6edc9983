package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;

/**
 * A model output split into ε and, for learned-sigma models, the variance interpolation v, each laid out like x.
 * The split also checks that the output fits the input: {@code [B, C, ...]} or {@code [B, 2C, ...]}.
 */
final class ModelOutput {
    final float[] eps;
    /** Null unless the model learns sigma. */
    final float[] v;

    private ModelOutput(float[] eps, float[] v) {
        this.eps = eps;
        this.v = v;
    }

    static ModelOutput split(Tensor x, Tensor out) {
        int rank = x.rank();
        if (rank < 2 || out.rank() != rank || out.dim(0) != x.dim(0)) {
            throw badShape(x, out);
        }
        for (int d = 2; d < rank; d++) {
            if (out.dim(d) != x.dim(d)) {
                throw badShape(x, out);
            }
        }
        int batch = x.dim(0);
        int channels = x.dim(1);
        int outChannels = out.dim(1);
        if (outChannels == channels) {
            return new ModelOutput(out.data().clone(), null);
        }
        if (outChannels != 2 * channels) {
            throw badShape(x, out);
        }
        int block = x.numel() / batch; // C·H·W: one sample's ε (and one sample's v)
        float[] o = out.data();
        float[] eps = new float[x.numel()];
        float[] v = new float[x.numel()];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(o, 2 * b * block, eps, b * block, block);
            System.arraycopy(o, 2 * b * block + block, v, b * block, block);
        }
        return new ModelOutput(eps, v);
    }

    private static IllegalArgumentException badShape(Tensor x, Tensor out) {
        return new IllegalArgumentException("denoiser returned " + out.shapeString() + " for input " + x.shapeString()
                + "; expected the input's shape with C (epsilon) or 2C (epsilon + learned variance) channels");
    }
}
