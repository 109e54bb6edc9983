package io.ditcache.vae;

import io.ditcache.tensor.Tensor;
import java.util.Map;

/**
 * Turns latents [n, C, h, w] as a latent diffusion model samples them (SD's scaled latent space, DiT's) into images
 * [n, 3, s*h, s*w] with values in about [-1, 1]. Implementations are immutable and safe to share between threads.
 * {@link #decode(Tensor)} decodes a batch a chunk of images at a time, so working memory stays bounded
 * ({@link #bytesPerImage}).
 */
public interface LatentDecoder {
    /** What it is and where its weights came from, e.g. {@code sd-vae (vae.safetensors)}. */
    String name();

    int latentChannels();

    /** Image size over latent size (8 for both SD decoders). */
    int scale();

    /** Every weight's name and shape, as the decoder read them (canonical names: diffusers', or taesd's), in order. */
    Map<String, int[]> layout();

    /** The number of weights ({@link #layout()}'s). */
    default long parameters() {
        long n = 0;
        for (int[] s : layout().values()) {
            n += Tensor.numel(s);
        }
        return n;
    }

    /** Multiply-accumulates to decode one latent of h x w. */
    long macs(int h, int w);

    /** Working memory to decode one latent of h x w (activations, the im2col bands excluded). */
    long bytesPerImage(int h, int w);

    /** Decodes all of {@code latents} [n, C, h, w] at once. */
    Tensor decodeChunk(Tensor latents);

    /** Decodes {@code latents} [n, C, h, w], {@code chunk} images at a time. */
    default Tensor decode(Tensor latents, int chunk) {
        Decoding.check(this, latents);
        if (chunk < 1) {
            throw new IllegalArgumentException("decode chunk must be >= 1, got " + chunk);
        }
        return Decoding.inChunks(this, latents, chunk);
    }

    /** Decodes {@code latents} [n, C, h, w] in chunks that keep working memory within {@link Decoding#memoryBudget()}. */
    default Tensor decode(Tensor latents) {
        Decoding.check(this, latents);
        return Decoding.inChunks(this, latents, Decoding.defaultChunk(this, latents.dim(2), latents.dim(3)));
    }
}
