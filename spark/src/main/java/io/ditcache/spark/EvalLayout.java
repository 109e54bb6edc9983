package io.ditcache.spark;

import io.ditcache.eval.EvalShard;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code eval}'s shards: consecutive ranges of {@code --shard-size} indices, whole {@code --batch} batches each (so
 * every batch is one a single-machine {@code ditcache eval --batch} runs), each written as {@code eval-FROM-TO.json}:
 * the range's {@link EvalShard}, what {@code ditcache eval --shard} writes and {@code ditcache eval-merge} reads.
 */
record EvalLayout(JobSpec spec) implements ShardLayout {
    @Override
    public String kind() {
        return "eval";
    }

    @Override
    public String extension() {
        return ".json";
    }

    @Override
    public void check(Path file, int k) throws IOException {
        read(file, k);
    }

    /** Shard {@code k}'s statistics, refusing a file that holds another range. */
    EvalShard read(Path file, int k) throws IOException {
        EvalShard s = EvalShard.read(file);
        IndexRange r = ranges().get(k);
        if (s.from() != r.from() || s.to() != r.to() || s.n() != spec.n()) {
            throw new IllegalStateException(file + ": holds samples [" + s.from() + ", " + s.to() + ") of " + s.n()
                    + ", not " + r + " of " + spec.n());
        }
        return s;
    }
}
