package io.ditcache.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * How a job cuts its indices into shards and names them: the k-th task takes index range {@code ranges().get(k)} and
 * writes {@code DIR/shards/name(k)} ({@link ShardFiles}) atomically, so a shard that exists is complete.
 */
interface ShardLayout extends Serializable {
    /** The index ranges, one per task and shard, in index order, covering [0, n) once. */
    List<IndexRange> ranges();

    /** The file name of shard {@code k}. */
    String name(int k);

    /** Refuses a file that is not shard {@code k}'s (its content read back), naming the file. */
    void check(Path file, int k) throws IOException;
}
