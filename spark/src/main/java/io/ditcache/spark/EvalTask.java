package io.ditcache.spark;

import io.ditcache.Method;
import io.ditcache.Pipeline;
import io.ditcache.eval.EvalShard;
import io.ditcache.eval.Evaluation;
import io.ditcache.eval.MethodLabel;
import io.ditcache.model.DiT;
import java.nio.file.Path;
import java.util.List;

/**
 * One task of {@code eval}: what {@code ditcache eval --shard} runs ({@link Evaluation#runPart}: every method on the
 * samples of an index range, taking turns batch by batch, reduced to exact sufficient statistics), after the JVM's one
 * warm-up, written as the range's shard ({@link EvalLayout}). Idempotent, as {@link SampleTask} is: only the wall
 * times differ between attempts.
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
        Pipeline base = Pipeline.of(model).settings(spec.settings()).threads(threads);
        ModelHolder.warmUp(spec, base);
        List<Method> methods = spec.methods().stream().map(m -> ModelHolder.method(spec, m)).toList();
        EvalShard shard = Evaluation.runPart(base, ModelHolder.evalModel(spec, threads),
                spec.methods().stream().map(MethodLabel::ofSpec).toList(), methods, spec.seed(), spec.n(), range.from(),
                range.to(), spec.batch(),
                ModelHolder.judge(model.config()), null).shard();
        ShardFiles.write(ShardFiles.dir(Path.of(out)).resolve(layout.name(k)), range, shard::write);
    }
}
