package io.ditcache.diffusion;

import io.ditcache.tensor.Tensor;

/** A stream of standard normal draws; an interface so tests can replay recorded noise. */
@FunctionalInterface
public interface NoiseSource {
    /** Fills {@code dst} with the next {@code dst.length} independent N(0, 1) draws. */
    void fill(float[] dst);

    /** A new tensor of the given shape filled with the next draws. */
    default Tensor next(int... shape) {
        Tensor t = Tensor.zeros(shape);
        fill(t.data());
        return t;
    }
}
