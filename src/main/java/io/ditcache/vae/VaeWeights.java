package io.ditcache.vae;

import io.ditcache.tensor.Convolution;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Where a decoder's constructor takes its weights from, by their canonical (diffusers) names: a state dict read
 * through a key naming, or seeded random values. Every tensor taken is recorded under its canonical name
 * ({@link #taken()}), so the decoder's constructor is the one list of its keys and shapes.
 */
final class VaeWeights {
    private final StateDict file;
    private final UnaryOperator<String> naming;
    private final SplittableRandom rng;
    private final Map<String, int[]> taken = new LinkedHashMap<>();

    private VaeWeights(StateDict file, UnaryOperator<String> naming, SplittableRandom rng) {
        this.file = file;
        this.naming = naming;
        this.rng = rng;
    }

    /** Weights read from {@code file}; {@code naming} maps a canonical name to the file's key. */
    static VaeWeights of(StateDict file, UnaryOperator<String> naming) {
        return new VaeWeights(file, naming, null);
    }

    /**
     * Random weights from {@code seed}: N(0, 1/fan_in) for convolution and linear weights, 1 + N(0, 0.01) for norm
     * scales, N(0, 0.0025) for biases and norm shifts, so activations keep their scale through a deep decoder.
     */
    static VaeWeights random(long seed) {
        return new VaeWeights(null, UnaryOperator.identity(), new SplittableRandom(seed));
    }

    /**
     * The tensor {@code name} of shape {@code shape}, as floats (row-major). A linear weight [out, in] may be stored
     * as a 1x1 convolution [out, in, 1, 1] (the CompVis attention). A missing or misshapen key is an
     * IllegalArgumentException naming the key and both shapes.
     */
    float[] get(String name, int... shape) {
        float[] v = file == null ? random(name, shape) : read(name, shape);
        taken.put(name, shape.clone());
        return v;
    }

    /** The convolution {@code name} ({@code name.weight} [out, in, k, k], and {@code name.bias} [out] if {@code bias}). */
    Convolution conv(String name, int out, int in, int kernel, boolean bias) {
        float[] weight = get(name + ".weight", out, in, kernel, kernel);
        return Convolution.of(weight, bias ? get(name + ".bias", out) : null, out, in, kernel);
    }

    /** The GroupNorm {@code name} over {@code channels} ({@code name.weight}, {@code name.bias}). */
    Norm norm(String name, int channels, int groups, float eps) {
        return new Norm(get(name + ".weight", channels), get(name + ".bias", channels), groups, eps);
    }

    /** Whether the file has the tensor {@code name} (random weights have every tensor). */
    boolean has(String name) {
        return file == null || file.contains(naming.apply(name));
    }

    /** The shape of every tensor taken so far, under its canonical name, in the order taken. */
    Map<String, int[]> taken() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(taken));
    }



    private float[] read(String name, int[] shape) {
        String key = naming.apply(name);
        if (!file.contains(key)) {
            throw new IllegalArgumentException("missing key '" + key + "' (expected shape " + Arrays.toString(shape) + ")");
        }
        Tensor t = file.get(key);
        int[] found = t.shape();
        boolean asConv1x1 = shape.length == 2 && found.length == 4 && found[0] == shape[0] && found[1] == shape[1]
                && found[2] == 1 && found[3] == 1;
        if (!Arrays.equals(found, shape) && !asConv1x1) {
            throw new IllegalArgumentException("key '" + key + "' has shape " + Arrays.toString(found)
                    + " but the decoder expects " + Arrays.toString(shape));
        }
        return t.data();
    }

    private float[] random(String name, int[] shape) {
        int n = (int) Tensor.numel(shape);
        float[] v = new float[n];
        boolean vector = shape.length == 1;
        boolean scale = vector && name.endsWith(".weight");
        double std = vector ? (scale ? 0.1 : 0.05) : 1.0 / Math.sqrt((double) n / shape[0]);
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((scale ? 1.0 : 0.0) + std * rng.nextGaussian());
        }
        return v;
    }
}
