package io.ditcache.cache;

import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A short identity of a DiT, stored in router files so a router is not silently used with another model: the
 * architecture (every config field except the display name) and a SHA-256 over a few weight tensors (their
 * shapes and first {@value #SAMPLED} values; patch embedding, first block's qkv, last block's fc2, label table,
 * final linear). Example: {@code depth=2,hidden=32,heads=4,patch=2,in=4,size=8,classes=10,sigma=true,mlp=4;
 * weights=3f2a...}. Cheap enough to compute on every load (microseconds).
 */
public final class ModelFingerprint {
    static final int SAMPLED = 4096;

    private ModelFingerprint() {
    }

    public static String of(DiT model) {
        DiTConfig c = model.config();
        return architecture(c) + ";weights=" + weightsHash(model, c);
    }

    /** The architecture part alone, e.g. for comparing configs when weights differ. */
    public static String architecture(DiTConfig c) {
        return "depth=" + c.depth() + ",hidden=" + c.hidden() + ",heads=" + c.heads() + ",patch=" + c.patch()
                + ",in=" + c.inChannels() + ",size=" + c.inputSize() + ",classes=" + c.numClasses()
                + ",sigma=" + c.learnSigma() + ",mlp=" + c.mlpRatio();
    }

    private static String weightsHash(DiT model, DiTConfig c) {
        String[] keys = {"x_embedder.proj.weight", "blocks.0.attn.qkv.weight",
                "blocks." + (c.depth() - 1) + ".mlp.fc2.weight", "y_embedder.embedding_table.weight",
                "final_layer.linear.weight"};
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        for (String k : keys) {
            Tensor t = model.weight(k);
            sha.update((k + t.shapeString()).getBytes(StandardCharsets.UTF_8));
            int n = Math.min(SAMPLED, t.numel());
            ByteBuffer b = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                b.putFloat(t.data()[i]);
            }
            sha.update(b.array());
        }
        StringBuilder hex = new StringBuilder();
        for (byte x : sha.digest()) {
            hex.append(String.format("%02x", x));
        }
        return hex.substring(0, 16);
    }
}
