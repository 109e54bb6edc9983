package io.ditcache.spark;

import io.ditcache.Provenance;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;

/** What every job does: one Spark task per shard its directory lacks, then the cleaning up after failed attempts. */
final class ShardedRun {
    private ShardedRun() {
    }

    /** What a task does for shard {@code k} of {@code spec}, writing into the job directory {@code out}. */
    interface Task extends Serializable {
        void run(JobSpec spec, String out, int k);
    }

    /**
     * Computes the shards of {@code layout} that {@code out} lacks ({@link JobDirectory#prepare}: new, or resumed),
     * each by {@code task} on the context {@code spark} gives, and returns that context.
     */
    static JavaSparkContext run(String command, Path out, ShardLayout layout, Supplier<JavaSparkContext> spark,
                                Task task) throws IOException {
        JobSpec spec = layout.spec();
        List<Integer> todo = JobDirectory.prepare(out, layout);
        System.err.println("ditcache-spark " + command + ": " + todo.size() + " of " + layout.ranges().size()
                + " shards to compute in " + out);
        JavaSparkContext sc = spark.get();
        if (!todo.isEmpty()) {
            String dir = out.toString();
            sc.parallelize(todo, todo.size()).foreach(k -> task.run(spec, dir, k));
        }
        ShardFiles.deleteTemporaries(out); // what failed attempts left; every task of the job has ended
        return sc;
    }

    /** The provenance of a job on {@code sc}: this library and Java, {@code spark.task.cpus} threads per task. */
    static Provenance provenance(JavaSparkContext sc) {
        return Provenance.current(sc.getConf().getInt("spark.task.cpus", 1));
    }
}
