package io.ditcache.spark;

import io.ditcache.Cache;
import io.ditcache.eval.EvalReport;
import io.ditcache.eval.EvalShard;
import io.ditcache.eval.FeatureStatistics;
import io.ditcache.eval.MethodResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eval}: caching methods side by side on indices [0, n), one task per index range ({@link EvalTask}); the
 * driver merges the shards' exact sufficient statistics and writes the report {@code ditcache eval} writes. Over an
 * existing job directory it resumes ({@link JobDirectory}).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = {"Evaluate caching methods across the cluster.",
        "Writes DIR/job.json, one DIR/shards/eval-FROM-TO.json per index range (exact sufficient statistics), then the"
                + " merged report (report.md, report.csv, pareto.png) and DIR/manifest.json last. Wall times and"
                + " speedups are the tasks' sums."})
final class EvalJob implements Callable<Integer> {
    @Mixin
    JobOptions options = new JobOptions();

    @Option(names = "--methods", defaultValue = "none,fewer:14,fora:2,fora:3,delta-dit,fbcache:0.1", split = ",",
            paramLabel = "POLICY", description = "Comma-separated policies (" + Cache.SYNTAX + "); 'none', the"
            + " baseline, is added first if missing. Default: ${DEFAULT-VALUE}.")
    List<String> methods;

    @Option(names = "--batch", defaultValue = "50", description = "Samples per sampler batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    private final Supplier<JavaSparkContext> spark;

    EvalJob(Supplier<JavaSparkContext> spark) {
        this.spark = spark;
    }

    @Override
    public Integer call() throws Exception {
        LinkedHashSet<String> ordered = new LinkedHashSet<>();
        ordered.add("none");
        ordered.addAll(methods);
        JobSpec spec = options.spec(new ArrayList<>(ordered), "--methods", batch);
        Path out = options.out.toAbsolutePath();
        EvalLayout layout = new EvalLayout(spec);
        JavaSparkContext sc = ShardedRun.run("eval", out, layout, spark, EvalTask::run);
        int total = layout.ranges().size();
        List<EvalShard> shards = new ArrayList<>();
        for (int k = 0; k < total; k++) {
            shards.add(layout.read(ShardFiles.dir(out).resolve(layout.name(k)), k));
        }
        EvalShard merged = EvalShard.merge(shards);
        FeatureStatistics reference = merged.judged() ? ModelHolder.testSetStatistics() : null;
        List<MethodResult> results = merged.writeReport(out, reference, "merged from " + total + " Spark tasks");
        Manifest.write(out, Manifest.EVAL, layout, ShardedRun.provenance(sc));
        EvalReport.print(results, System.out);
        System.out.println("report -> " + out.resolve("report.md") + ", " + out.resolve("report.csv") + ", "
                + out.resolve("pareto.png") + "; " + out.resolve(Manifest.FILE));
        return 0;
    }
}
