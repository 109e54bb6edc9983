package io.ditcache.vae;

import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;

/** Helpers shared by the decoders: input checks, chunking, and channels-first / channels-last copies. */
public final class Decoding {
    private static final long MAX_BUDGET = 1L << 30;

    private Decoding() {
    }

    /** Working memory a default {@link LatentDecoder#decode(Tensor)} chunk may take: a quarter of the heap, at most 1 GiB. */
    public static long memoryBudget() {
        return Math.min(MAX_BUDGET, Runtime.getRuntime().maxMemory() / 4);
    }

    /** Images per chunk that fit {@link #memoryBudget()} (at least 1). */
    public static int defaultChunk(LatentDecoder d, int h, int w) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, memoryBudget() / Math.max(1, d.bytesPerImage(h, w))));
    }

    /** Refuses latents that are not [n >= 1, C, h >= 1, w >= 1] with the decoder's C, or images too large for an array. */
    static void check(LatentDecoder d, Tensor latents) {
        int[] s = latents.shape();
        if (s.length != 4 || s[0] < 1 || s[1] != d.latentChannels() || s[2] < 1 || s[3] < 1) {
            throw new IllegalArgumentException(d.name() + " decodes latents [n, " + d.latentChannels()
                    + ", h, w], got " + Arrays.toString(s));
        }
        long image = 3L * s[2] * s[3] * d.scale() * d.scale();
        if (image * s[0] > Integer.MAX_VALUE || d.bytesPerImage(s[2], s[3]) / 4 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(d.name() + ": latents " + Arrays.toString(s) + " decode to images too large");
        }
    }

    static Tensor inChunks(LatentDecoder d, Tensor latents, int chunk) {
        int n = latents.dim(0);
        if (chunk >= n) {
            return d.decodeChunk(latents);
        }
        int per = latents.numel() / n;
        Tensor out = null;
        int outPer = 0;
        for (int i = 0; i < n; i += chunk) {
            int m = Math.min(chunk, n - i);
            float[] part = Arrays.copyOfRange(latents.data(), i * per, (i + m) * per);
            Tensor images = d.decodeChunk(Tensor.of(part, m, latents.dim(1), latents.dim(2), latents.dim(3)));
            if (out == null) {
                int[] shape = images.shape();
                outPer = images.numel() / m;
                shape[0] = n;
                out = Tensor.zeros(shape);
            }
            System.arraycopy(images.data(), 0, out.data(), i * outPer, m * outPer);
        }
        return out;
    }

    /** x [n, c, h, w] to [n, h, w, c], each value multiplied by {@code scale}. */
    static float[] toChannelsLast(float[] x, int n, int c, int h, int w, float scale) {
        float[] y = new float[x.length];
        int hw = h * w;
        Parallel.parallelFor(0, n * hw, p -> {
            int b = p / hw;
            int q = p % hw;
            for (int ch = 0; ch < c; ch++) {
                y[p * c + ch] = x[(b * c + ch) * hw + q] * scale;
            }
        });
        return y;
    }

    /** y [n, h, w, c] to a tensor [n, c, h, w] of {@code y * scale + shift}. */
    static Tensor toChannelsFirst(float[] y, int n, int c, int h, int w, float scale, float shift) {
        float[] x = new float[n * c * h * w];
        int hw = h * w;
        Parallel.parallelFor(0, n * hw, p -> {
            int b = p / hw;
            int q = p % hw;
            for (int ch = 0; ch < c; ch++) {
                x[(b * c + ch) * hw + q] = y[p * c + ch] * scale + shift;
            }
        });
        return Tensor.of(x, n, c, h, w);
    }
}
