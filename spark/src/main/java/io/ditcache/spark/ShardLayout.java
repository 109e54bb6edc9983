package io.ditcache.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * How a job cuts its indices into shards and names them: consecutive ranges of {@code --shard-size} indices, the
 * k-th task taking {@code ranges().get(k)} and writing {@code DIR/shards/KIND-FROM-TO.EXT} ({@link ShardFiles})
 * atomically, so a shard that exists is complete.
 */
interface ShardLayout extends Serializable {
    JobSpec spec();

    /** The first part of a shard's file name ({@code samples}, {@code eval}). */
    String kind();

    /** The file name extension, with its dot. */
    String extension();

    /** Refuses a file that is not shard {@code k}'s (its content read back), naming the file. */
    void check(Path file, int k) throws IOException;

    /** The index ranges, one per task and shard, in index order, covering [0, n) once. */
    default List<IndexRange> ranges() {
        return IndexRange.split(spec().n(), spec().shardSize());
    }

    /** The file name of shard {@code k}. */
    default String name(int k) {
        IndexRange r = ranges().get(k);
        return kind() + "-" + r.from() + "-" + r.to() + extension();
    }
}
