package io.ditcache.spark;

import io.ditcache.Pipeline;
import io.ditcache.Samples;
import io.ditcache.diffusion.SampleListener;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Tensor;
import java.util.Arrays;

/**
 * Samples of an index range, the same bits whatever the range: sample {@code i} has label {@code i % classes} and the
 * {@code i}-th row of the seed's noise ({@link Pipeline#noise}), so a shard equals the same rows of a single-machine
 * run of all the indices.
 * <p>
 * TODO(per-index seed): this interim rule draws the noise of every index before the range (cheap next to sampling)
 * and is exact for deterministic samplers only (a stochastic sampler's step noise follows the batch); switch to
 * {@code Pipeline.sample(labels, seed, firstIndex, listener)} when the core has it.
 */
final class IndexSampling {
    private IndexSampling() {
    }

    /** The labels of {@code range}: index modulo the model's classes. */
    static int[] labels(DiTConfig c, IndexRange range) {
        int[] y = new int[range.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = (int) ((range.from() + i) % c.numClasses());
        }
        return y;
    }

    /** The samples of {@code range} from {@code seed}, on {@code pipe}'s threads. */
    static Samples sample(Pipeline pipe, IndexRange range, long seed) {
        DiTConfig c = pipe.model().config();
        if (range.to() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("index " + range.to() + " is past what the interim seed rule draws");
        }
        Tensor all = Pipeline.noise(c, (int) range.to(), seed);
        int row = all.numel() / (int) range.to();
        float[] rows = Arrays.copyOfRange(all.data(), (int) range.from() * row, (int) range.to() * row);
        Tensor noise = Tensor.of(rows, range.size(), c.inChannels(), c.inputSize(), c.inputSize());
        return pipe.sample(labels(c, range), noise, seed, SampleListener.NONE);
    }
}
