package io.ditcache.train;

import io.ditcache.data.Dataset;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The clean samples x0 L2C trains on: model-space tensors [N, C, H, W] (pixels in [-1, 1] for a pixel model, or
 * SD-VAE latents already scaled by 0.18215) with labels. Batches are drawn uniformly with replacement from a
 * per-iteration random stream, so a run can resume at any iteration without replaying a data loader (L2C's loader
 * shuffles per epoch; with replacement the expected batch is the same). Pixel data may be flipped horizontally
 * with probability 1/2, as L2C's ImageNet pipeline does before encoding; latents are used as stored.
 */
public final class TrainingImages {
    private final String description;
    private final Tensor samples;
    private final int[] labels;
    private final boolean flip;

    public TrainingImages(String description, Tensor samples, int[] labels, boolean flip) {
        if (samples.rank() != 4 || samples.dim(0) != labels.length || labels.length == 0) {
            throw new IllegalArgumentException(description + ": expected samples [N, C, H, W] with N = " + labels.length
                    + " labels (N >= 1), got " + samples.shapeString());
        }
        this.description = description;
        this.samples = samples;
        this.labels = labels;
        this.flip = flip;
    }

    /** A labelled image set (e.g. Fashion-MNIST's training split), with random horizontal flips. */
    public static TrainingImages of(Dataset d) {
        return new TrainingImages(d.name(), d.images(), d.labels(), true);
    }

    /**
     * A safetensors file with {@code latents [N, C, H, W]} and {@code labels [N]} (any numeric dtype; integers),
     * e.g. ImageNet latents encoded with the SD-VAE and multiplied by 0.18215.
     */
    public static TrainingImages latents(Path file) throws IOException {
        StateDict sd = SafeTensors.read(file);
        for (String key : new String[]{"latents", "labels"}) {
            if (!sd.contains(key)) {
                throw new IllegalArgumentException(file + ": no '" + key + "' tensor (tensors: " + sd.keys()
                        + "); expected latents [N, C, H, W] and labels [N]");
            }
        }
        Tensor lab = sd.get("labels");
        if (lab.rank() != 1) {
            throw new IllegalArgumentException(file + ": 'labels' has shape " + lab.shapeString() + ", expected [N]");
        }
        int[] y = new int[lab.numel()];
        for (int i = 0; i < y.length; i++) {
            float v = lab.data()[i];
            if (v != Math.rint(v) || v < 0) {
                throw new IllegalArgumentException(file + ": label " + i + " is " + v + ", not a class index");
            }
            y[i] = (int) v;
        }
        return new TrainingImages("latents:" + file.getFileName(), sd.get("latents"), y, false);
    }

    public String description() {
        return description;
    }

    public int size() {
        return labels.length;
    }

    /** Checks the samples fit the model's input and its classes; the error names the data and the model. */
    public void checkFits(DiTConfig c) {
        int s = c.inputSize();
        if (samples.dim(1) != c.inChannels() || samples.dim(2) != s || samples.dim(3) != s) {
            throw new IllegalArgumentException(description + ": samples " + samples.shapeString() + " do not fit "
                    + c.name() + ", which takes [B, " + c.inChannels() + ", " + s + ", " + s + "]");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= c.numClasses()) {
                throw new IllegalArgumentException(description + ": label " + labels[i] + " (sample " + i + ") but "
                        + c.name() + " has " + c.numClasses() + " classes");
            }
        }
    }

    /** A batch of {@code n} samples with their labels, drawn from {@code rng}. */
    public Batch draw(int n, SplittableRandom rng) {
        int per = samples.numel() / samples.dim(0);
        int w = samples.dim(3);
        float[] dst = new float[n * per];
        int[] y = new int[n];
        for (int b = 0; b < n; b++) {
            int i = rng.nextInt(labels.length);
            y[b] = labels[i];
            boolean mirror = flip && rng.nextBoolean();
            int src = i * per;
            for (int row = 0; row < per / w; row++) {
                for (int col = 0; col < w; col++) {
                    dst[b * per + row * w + col] = samples.data()[src + row * w + (mirror ? w - 1 - col : col)];
                }
            }
        }
        int[] shape = samples.shape();
        shape[0] = n;
        return new Batch(Tensor.of(dst, shape), y);
    }

    /** Clean samples [B, C, H, W] and labels. */
    public record Batch(Tensor x0, int[] labels) {
    }
}
