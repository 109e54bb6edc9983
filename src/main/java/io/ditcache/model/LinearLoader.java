package io.ditcache.model;

import io.ditcache.tensor.PackedWeight;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import io.ditcache.tensor.WeightPrecision;

/**
 * Builds a model's {@link LinearLayer}s from its state dict, each weight read once: held plain, or packed at once
 * at a precision, read through one reused buffer, so a model packed as it loads from lazy entries
 * ({@link StateDict#putLazy}) leaves no float copy of its weights behind. Biases come from the tensors the model
 * read beforehand, so that a Linear's bias and {@link DiT#weight} are one array.
 */
final class LinearLoader {
    private final StateDict weights;
    private final StateDict others;
    private final WeightPrecision packAs;
    private float[] scratch = new float[0];

    /** Weights from {@code weights}, biases from {@code others}; {@code packAs} null keeps the weights plain. */
    LinearLoader(StateDict weights, StateDict others, WeightPrecision packAs) {
        this.weights = weights;
        this.others = others;
        this.packAs = packAs;
    }

    /** The Linear {@code name}: {@code name.weight} ([out, in], or [out, C, p, p] for the patch conv), {@code name.bias}. */
    LinearLayer linear(String name) {
        String key = name + ".weight";
        Tensor bias = others.get(name + ".bias");
        if (packAs == null) {
            return new LinearLayer(weights.get(key), bias);
        }
        int[] shape = weights.shape(key);
        int n = Math.toIntExact(Tensor.numel(shape));
        if (scratch.length < n) {
            scratch = new float[n];
        }
        float[] w = weights.read(key, scratch);
        return new LinearLayer(PackedWeight.of(w, shape[0], n / shape[0], packAs), shape, bias);
    }
}
