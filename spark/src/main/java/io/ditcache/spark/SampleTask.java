package io.ditcache.spark;

import io.ditcache.Pipeline;
import io.ditcache.Samples;
import io.ditcache.tensor.Parallel;
import java.nio.file.Path;
import org.apache.spark.TaskContext;

/**
 * One task of {@code sample}: the samples of an index range written as its shard ({@link SampleLayout}). Idempotent: a
 * retried or speculative attempt samples the same bits and renames them over the same name, so the directory never
 * holds a half shard or two shards of one range.
 */
final class SampleTask {
    private SampleTask() {
    }

    /** Samples shard {@code k} of {@code spec} on the task's cores ({@code spark.task.cpus}) and writes it. */
    static void run(JobSpec spec, String out, int k) {
        SampleLayout layout = new SampleLayout(spec);
        IndexRange range = layout.ranges().get(k);
        Pipeline pipe = ModelHolder.pipeline(spec, spec.methods().get(0), taskCpus());
        Samples s = IndexSampling.sample(pipe, range, spec.seed());
        Path file = ShardFiles.dir(Path.of(out)).resolve(layout.name(k));
        ShardFiles.write(file, range, s::writeLatents);
    }

    /** The cores Spark gave this task ({@code spark.task.cpus}); outside a task, the process-wide thread count. */
    static int taskCpus() {
        TaskContext task = TaskContext.get();
        return task == null ? Parallel.threads() : Math.max(1, task.cpus());
    }
}
