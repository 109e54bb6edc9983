package io.ditcache.spark;

import io.ditcache.Method;
import io.ditcache.Pipeline;
import io.ditcache.cache.ModelFingerprint;
import io.ditcache.eval.EvalShard;
import io.ditcache.eval.Evaluation;
import io.ditcache.eval.SampleJudge;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One task of {@code eval}: every method on the samples of an index range (after the JVM's one warm-up, the methods
 * taking turns batch by batch, as {@code ditcache eval} runs them), reduced to exact sufficient statistics ({@link
 * EvalShard}) and written as the range's shard ({@link EvalLayout}). Idempotent, as {@link SampleTask} is: only the
 * wall times differ between attempts.
 */
final class EvalTask {
    private EvalTask() {
    }

    /** Evaluates shard {@code k} of {@code spec} on the task's cores ({@code spark.task.cpus}) and writes it. */
    static void run(JobSpec spec, String out, int k) {
        EvalLayout layout = new EvalLayout(spec);
        IndexRange range = layout.ranges().get(k);
        int threads = SampleTask.taskCpus();
        DiT model = ModelHolder.model(spec, threads);
        DiTConfig c = model.config();
        Pipeline base = Pipeline.of(model).settings(spec.settings()).threads(threads);
        int[] labels = IndexSampling.labels(c, range);
        Evaluation.Setup setup = new Evaluation.Setup(base, spec.seed(), labels,
                Pipeline.noise(c, range.from(), range.size(), spec.seed()), spec.batch(), range.from());
        List<Method> methods = spec.methods().stream().map(m -> ModelHolder.method(spec, m)).toList();
        ModelHolder.warmUp(spec, setup);
        List<Evaluation.Run> runs = Evaluation.runInterleaved(setup, spec.methods(), methods, done -> { });
        SampleJudge judge = ModelHolder.judge(c);
        EvalShard shard = EvalShard.of(job(spec, model, judge != null), range.from(), range.to(), runs, labels, judge);
        Path file = ShardFiles.dir(Path.of(out)).resolve(layout.name(k));
        ShardFiles.write(file, range, shard::write);
    }

    /** The job shards are matched by, as {@code ditcache eval} describes it. */
    static Map<String, Object> job(JobSpec spec, DiT model, boolean judged) {
        return EvalShard.job(model.config().name() + " " + ModelFingerprint.of(model), spec.settings(), spec.seed(),
                spec.n(), spec.methods(), judged);
    }
}
