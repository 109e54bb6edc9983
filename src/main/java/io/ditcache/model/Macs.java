package io.ditcache.model;

/**
 * Multiply-accumulate counts of a DiT forward, per sample. Counted: every Linear (in*out per row it is applied to:
 * per token for patch embed, qkv, proj, fc1, fc2, final linear; per sample for the timestep MLP and adaLN), and the
 * two attention products (2*T*T*D). Not counted: normalisation, activations, softmax, element-wise ops and
 * embeddings lookups (lower-order terms). DiT-XL/2 at 256x256 gives about 118.6 G, the figure the DiT paper calls
 * "Gflops".
 */
public final class Macs {
    private Macs() {
    }

    /** MACs of unit {@code u} for one sample: attention (even) or MLP (odd). */
    public static long unit(DiTConfig c, int u) {
        long t = c.tokens();
        long d = c.hidden();
        if (u % 2 == 0) {
            return 4 * t * d * d + 2 * t * t * d;
        }
        return 2 * t * d * c.mlpHidden();
    }

    /** MACs that always run, whatever is cached: embeddings, adaLN of every block, final layer. */
    public static long alwaysOn(DiTConfig c) {
        long t = c.tokens();
        long d = c.hidden();
        long p2 = (long) c.patch() * c.patch();
        long patchEmbed = t * c.inChannels() * p2 * d;
        long timestep = (long) Embeddings.FREQUENCY_DIM * d + d * d;
        long adaLN = c.depth() * d * 6 * d;
        long finalLayer = d * 2 * d + t * d * p2 * c.outChannels();
        return patchEmbed + timestep + adaLN + finalLayer;
    }

    /** MACs of one uncached forward for one sample. */
    public static long forward(DiTConfig c) {
        long n = alwaysOn(c);
        for (int u = 0; u < c.units(); u++) {
            n += unit(c, u);
        }
        return n;
    }
}
