package io.ditcache.spark;

import io.ditcache.Cache;
import io.ditcache.Method;
import io.ditcache.Models;
import io.ditcache.Pipeline;
import io.ditcache.data.FashionMnist;
import io.ditcache.eval.EvalShard;
import io.ditcache.eval.Evaluation;
import io.ditcache.eval.FeatureStatistics;
import io.ditcache.eval.Judges;
import io.ditcache.eval.SampleJudge;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Parallel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models, cache methods, judges and FID references of this JVM, each loaded once, on first use, and kept for the
 * JVM's life: every task of a job that runs in one executor shares them (tasks run concurrently there; they are
 * immutable, and a {@link Pipeline} keeps each sampling call's cache state apart). Keyed by the {@code --model} value
 * and the method spec, so a model is read from a path every node can read, never broadcast from the driver.
 */
final class ModelHolder {
    private static final ConcurrentHashMap<String, DiT> MODELS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, String> EVAL_MODELS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<List<Object>, Method> METHODS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<List<Integer>, Optional<SampleJudge>> JUDGES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Optional<FeatureStatistics>> REFERENCES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Boolean> WARM = new ConcurrentHashMap<>();

    private ModelHolder() {
    }

    /** The model of {@code spec}, packed; loaded (and packed) on the task's {@code threads} if not yet. */
    static DiT model(JobSpec spec, int threads) {
        return MODELS.computeIfAbsent(spec.model(),
                m -> Parallel.withThreads(threads, () -> unchecked(() -> Models.load(m))));
    }

    /** The model of {@code spec} as eval shards name it ({@link EvalShard#modelOf}), fingerprinted once per JVM. */
    static String evalModel(JobSpec spec, int threads) {
        return EVAL_MODELS.computeIfAbsent(spec.model(), m -> EvalShard.modelOf(model(spec, threads)));
    }

    /** The method {@code method} of {@code spec} (a router file read once per JVM). */
    static Method method(JobSpec spec, String method) {
        return METHODS.computeIfAbsent(List.of(method, spec.threshold()),
                k -> unchecked(() -> Cache.parseMethod(method, spec.threshold())));
    }

    /** The pipeline of {@code spec} for its method {@code method}, sampling on {@code threads}. */
    static Pipeline pipeline(JobSpec spec, String method, int threads) {
        return Pipeline.of(model(spec, threads)).settings(spec.settings()).method(method(spec, method)).threads(threads);
    }

    /** The classifier that judges samples of models of config {@code c} ({@link Judges#forModel}), or null. */
    static SampleJudge judge(DiTConfig c) {
        List<Integer> shape = List.of(c.inChannels(), c.inputSize(), c.numClasses());
        return JUDGES.computeIfAbsent(shape, k -> Optional.ofNullable(Judges.forModel(c))).orElse(null);
    }

    /**
     * Runs an untimed uncached warm-up batch ({@link Evaluation#warmUp}) once per JVM and model, before the first timed
     * evaluation; the tasks that arrive meanwhile wait for it, so no timing includes the JIT's work.
     */
    static void warmUp(JobSpec spec, Pipeline pipeline) {
        WARM.computeIfAbsent(spec.model(), k -> {
            Evaluation.warmUp(pipeline, spec.seed(), (int) Math.min(spec.batch(), spec.n()));
            return true;
        });
    }

    /** The FID reference of the shipped classifier: the Fashion-MNIST test set's features, or null without it. */
    static FeatureStatistics testSetStatistics() {
        return REFERENCES.computeIfAbsent("fashion-mnist test", k -> {
            try {
                return Optional.of(Judges.testSetStatistics(Judges.shippedClassifier(), new FashionMnist()));
            } catch (NoSuchFileException e) {
                System.err.println("note: FID skipped: " + e.getMessage());
                return Optional.<FeatureStatistics>empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).orElse(null);
    }

    private interface Load<T> {
        T get() throws IOException;
    }

    private static <T> T unchecked(Load<T> load) {
        try {
            return load.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
