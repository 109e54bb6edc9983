package io.ditcache.vae;

import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Deterministic weights from a short spec, the twin of {@code tools/reference/spec_weights.py} (docs/vae.md, "Spec
 * weights"), so that the full-size decoders can be compared with the PyTorch reference without a weights file. Every
 * value of the tensor {@code key} (its state-dict name, UTF-8) depends on the key and its row-major index i alone:
 * <pre>
 * s = fnv1a64(key) + i                                     (mod 2^64)
 * z = splitmix64(s): z = s + 0x9E3779B97F4A7C15; z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9;
 *                    z = (z ^ z >>> 27) * 0x94D049BB133111EB; z = z ^ z >>> 31
 * u = ((z >>> 40) - 2^23) / 2^23                           in [-1, 1), exact in float32
 * </pre>
 * and the value is, in double and rounded once to float: {@code u * sqrt(3 / fan_in)} for a tensor of rank 2 or more
 * ({@code fan_in = numel / shape[0]}, variance 1 / fan_in), {@code 1 + 0.1 u} for a rank-1 {@code *.weight} (GroupNorm
 * scales), {@code 0.1 u} for the other rank-1 tensors (biases, GroupNorm shifts); latents are {@code 2 u}.
 */
final class SpecWeights {
    /** The scale of the latents: {@code 2 u}. */
    static final double LATENT_SCALE = 2.0;

    private SpecWeights() {
    }

    static long fnv1a64(String key) {
        long h = 0xCBF29CE484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001B3L;
        }
        return h;
    }

    /** The value u in [-1, 1) at {@code index} of the stream that starts at {@code fnv1a64(key)}. */
    static double uniform(long keyHash, long index) {
        long z = keyHash + index + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return ((z >>> 40) - (1 << 23)) * 0x1p-23;
    }

    /** The tensor {@code key} of {@code shape} by the spec. */
    static Tensor tensor(String key, int... shape) {
        int n = (int) Tensor.numel(shape);
        double scale = shape.length >= 2 ? Math.sqrt(3.0 / (n / shape[0])) : 0.1;
        double offset = shape.length == 1 && key.endsWith(".weight") ? 1.0 : 0.0;
        return values(key, shape, offset, scale);
    }

    /** Latents {@code key} of {@code shape}: {@code 2 u}. */
    static Tensor latents(String key, int... shape) {
        return values(key, shape, 0.0, LATENT_SCALE);
    }

    /** {@code offset + scale u}, in double, rounded to float. */
    private static Tensor values(String key, int[] shape, double offset, double scale) {
        long h = fnv1a64(key);
        float[] v = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (offset + scale * uniform(h, i));
        }
        return Tensor.of(v, shape);
    }

    /** A state dict with every key of {@code layout} (entries {@code [key, [shape...]]}, as in layouts.json). */
    static StateDict of(List<?> layout) {
        StateDict w = new StateDict();
        for (Object o : layout) {
            List<?> entry = (List<?>) o;
            List<?> dims = (List<?>) entry.get(1);
            int[] shape = dims.stream().mapToInt(d -> ((Number) d).intValue()).toArray();
            w.put((String) entry.get(0), tensor((String) entry.get(0), shape));
        }
        return w;
    }
}
