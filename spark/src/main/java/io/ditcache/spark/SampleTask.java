package io.ditcache.spark;

import io.ditcache.Pipeline;
import io.ditcache.Samples;
import io.ditcache.tensor.Parallel;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.TaskContext;

/**
 * One task of {@code sample}: the samples of an index range written as its shard ({@link SampleLayout}). Idempotent: a
 * retried or speculative attempt samples the same bits and renames them over the same name, so the directory never
 * holds a half shard or two shards of one range.
 */
final class SampleTask {
    /** The shard's from index whose first attempt fails after leaving a partial temporary file (fault-injection tests). */
    static final String FAIL_ONCE_PROPERTY = "ditcache.spark.test.failOnce";

    private SampleTask() {
    }

    /** What a task wrote: its range and the shard's size in bytes. */
    record Written(IndexRange range, long bytes) implements Serializable {
    }

    /** Samples shard {@code k} of {@code spec} on the task's cores ({@code spark.task.cpus}) and writes it. */
    static Written run(JobSpec spec, String out, int k) {
        SampleLayout layout = new SampleLayout(spec);
        IndexRange range = layout.ranges().get(k);
        Pipeline pipe = ModelHolder.pipeline(spec, spec.methods().get(0)).threads(taskCpus());
        Samples s = IndexSampling.sample(pipe, range, spec.seed());
        Path file = ShardFiles.dir(Path.of(out)).resolve(layout.name(k));
        try {
            injectFault(file, range);
            s.writeLatents(file);
            return new Written(range, Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cores Spark gave this task ({@code spark.task.cpus}); outside a task, the process-wide thread count. */
    static int taskCpus() {
        TaskContext task = TaskContext.get();
        return task == null ? Parallel.threads() : Math.max(1, task.cpus());
    }

    /** With {@value #FAIL_ONCE_PROPERTY} = the range's from index: fails the first attempt as a crash while writing would. */
    private static void injectFault(Path file, IndexRange range) throws IOException {
        TaskContext task = TaskContext.get();
        if (task == null || task.attemptNumber() > 0
                || !Long.toString(range.from()).equals(System.getProperty(FAIL_ONCE_PROPERTY))) {
            return;
        }
        Files.createDirectories(file.getParent());
        Files.write(file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".fault.tmp"),
                new byte[] {42, 0, 0, 0});
        throw new IllegalStateException("injected fault: first attempt of the shard of " + range);
    }
}
