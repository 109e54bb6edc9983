package io.ditcache.model;

import io.ditcache.tensor.StandardNormal;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * DiT's training initialisation ({@code initialize_weights} in facebookresearch/DiT): Xavier-uniform linears with
 * zero biases, the patch embedding Xavier-uniform over its flattened kernel, normal(0.02) label table and timestep MLP,
 * the fixed sin-cos position table, and adaLN-Zero: every adaLN modulation and the final linear start at zero, so each
 * block starts as the identity.
 */
public final class DiTInitializer {
    private DiTInitializer() {
    }

    public static DiT initialize(DiTConfig config, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        StateDict sd = new StateDict();
        for (Map.Entry<String, int[]> e : ParameterLayout.of(config).entrySet()) {
            String k = e.getKey();
            int[] shape = e.getValue();
            Tensor t = Tensor.zeros(shape);
            if (k.equals("pos_embed")) {
                System.arraycopy(Embeddings.posEmbed2d(config.hidden(), config.gridSize()), 0, t.data(), 0, t.numel());
            } else if (k.contains("adaLN_modulation") || k.startsWith("final_layer.linear") || k.endsWith(".bias")) {
                // zero: adaLN-Zero, zero final projection, zero biases
            } else if (k.startsWith("t_embedder") || k.startsWith("y_embedder")) {
                fillNormal(t.data(), 0.02, rng);
            } else {
                int fanOut = shape[0];
                int fanIn = t.numel() / fanOut;
                double bound = Math.sqrt(6.0 / (fanIn + fanOut));
                float[] a = t.data();
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                }
            }
            sd.put(k, t);
        }
        sd.metadata().put(ConfigInference.META_NAME, config.name());
        sd.metadata().put(ConfigInference.META_HEADS, Integer.toString(config.heads()));
        return new DiT(config, sd);
    }

    private static void fillNormal(float[] a, double std, SplittableRandom rng) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (StandardNormal.sample(rng) * std);
        }
    }
}
