package io.ditcache.spark;

import io.ditcache.Pipeline;
import io.ditcache.Samples;
import io.ditcache.diffusion.SampleListener;
import io.ditcache.model.DiTConfig;

/**
 * Samples of an index range with the bits those indices have in any run of the job (the seed rule in
 * {@link Pipeline}'s Javadoc): sample {@code i} has label {@link Pipeline#defaultLabel} and noise from
 * {@code (seed, i)} alone, so a shard equals the same rows of a single-machine run of all the indices.
 */
final class IndexSampling {
    private IndexSampling() {
    }

    /** The labels of {@code range}: the classes in turn, index modulo the model's classes. */
    static int[] labels(DiTConfig c, IndexRange range) {
        return Pipeline.defaultLabels(c, range.from(), range.size());
    }

    /** The samples of {@code range} from {@code seed}, as one batch on {@code pipe}'s threads. */
    static Samples sample(Pipeline pipe, IndexRange range, long seed) {
        return pipe.sample(labels(pipe.model().config(), range), seed, range.from(), SampleListener.NONE);
    }
}
