package io.ditcache.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every parameter of a DiT with its checkpoint key and shape, in facebookresearch/DiT's state_dict order.
 * The single source of truth for loading, saving, random initialisation and parameter counts.
 */
public final class ParameterLayout {
    private ParameterLayout() {
    }

    /** Key to shape, in checkpoint order. */
    public static Map<String, int[]> of(DiTConfig c) {
        int d = c.hidden();
        int p = c.patch();
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("pos_embed", new int[]{1, c.tokens(), d});
        m.put("x_embedder.proj.weight", new int[]{d, c.inChannels(), p, p});
        m.put("x_embedder.proj.bias", new int[]{d});
        m.put("t_embedder.mlp.0.weight", new int[]{d, Embeddings.FREQUENCY_DIM});
        m.put("t_embedder.mlp.0.bias", new int[]{d});
        m.put("t_embedder.mlp.2.weight", new int[]{d, d});
        m.put("t_embedder.mlp.2.bias", new int[]{d});
        m.put("y_embedder.embedding_table.weight", new int[]{c.numClasses() + 1, d});
        for (int i = 0; i < c.depth(); i++) {
            String b = "blocks." + i + ".";
            m.put(b + "attn.qkv.weight", new int[]{3 * d, d});
            m.put(b + "attn.qkv.bias", new int[]{3 * d});
            m.put(b + "attn.proj.weight", new int[]{d, d});
            m.put(b + "attn.proj.bias", new int[]{d});
            m.put(b + "mlp.fc1.weight", new int[]{c.mlpHidden(), d});
            m.put(b + "mlp.fc1.bias", new int[]{c.mlpHidden()});
            m.put(b + "mlp.fc2.weight", new int[]{d, c.mlpHidden()});
            m.put(b + "mlp.fc2.bias", new int[]{d});
            m.put(b + "adaLN_modulation.1.weight", new int[]{6 * d, d});
            m.put(b + "adaLN_modulation.1.bias", new int[]{6 * d});
        }
        m.put("final_layer.linear.weight", new int[]{p * p * c.outChannels(), d});
        m.put("final_layer.linear.bias", new int[]{p * p * c.outChannels()});
        m.put("final_layer.adaLN_modulation.1.weight", new int[]{2 * d, d});
        m.put("final_layer.adaLN_modulation.1.bias", new int[]{2 * d});
        return m;
    }

    /** Total parameter count, pos_embed included (675,129,632 for DiT-XL/2 at 256x256). */
    public static long count(DiTConfig c) {
        long n = 0;
        for (int[] s : of(c).values()) {
            long k = 1;
            for (int x : s) {
                k *= x;
            }
            n += k;
        }
        return n;
    }
}
