package io.ditcache.spark;

import io.ditcache.Cache;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sample}: the samples of indices [0, n), one task and one shard per index range ({@link SampleTask}), then
 * the manifest ({@link Manifest}). Over an existing job directory it resumes ({@link JobDirectory}).
 */
@Command(name = "sample", mixinStandardHelpOptions = true, description = {"Sample N images across the cluster.",
        "Writes DIR/job.json, one DIR/shards/samples-FROM-TO.safetensors per index range, and DIR/manifest.json last."})
final class SampleJob implements Callable<Integer> {
    @Mixin
    JobOptions options = new JobOptions();

    @Option(names = "--cache", defaultValue = "none", paramLabel = "POLICY", description = Cache.SYNTAX)
    String cache;

    private final Supplier<JavaSparkContext> spark;

    SampleJob(Supplier<JavaSparkContext> spark) {
        this.spark = spark;
    }

    @Override
    public Integer call() throws Exception {
        JobSpec spec = options.spec(List.of(cache), "--cache", null);
        Path out = options.out.toAbsolutePath();
        SampleLayout layout = new SampleLayout(spec);
        JavaSparkContext sc = ShardedRun.run("sample", out, layout, spark, SampleTask::run);
        Path manifest = Manifest.write(out, Manifest.SAMPLES, layout, ShardedRun.provenance(sc));
        int total = layout.ranges().size();
        System.out.println("wrote " + spec.n() + " samples in " + total + " shards -> " + manifest);
        return 0;
    }
}
