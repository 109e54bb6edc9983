package io.ditcache.train;

import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A resumable router-training state, written atomically as safetensors:
 * {@code logits, adam.m, adam.v [steps, units]}, {@code adam.steps [steps]} (per-router AdamW step counts, exact up
 * to 2^24), after a landing's optimiser reset {@code adam.earlier_updates [steps]} (the updates before it), {@code iepo.lambda [trajectories * steps]}, and metadata {@code format=ditcache-router-checkpoint}, {@code iteration},
 * {@code model_fingerprint}, {@code beta} (the current β, exact: {@link UsageTargetBeta} changes it), with a target usage also
 * {@code usage_target.benefit [steps, units]}, {@code usage_target.correction} and, once training has landed its
 * threshold ({@link RouterTrainer#threshold()}), {@code usage_target.landed_threshold}; and every {@link RouterTrainingConfig#trajectorySettings() setting} under
 * {@code setting.KEY}; and the writer's provenance ({@link TrainingCheckpoints}, not compared on resume). Random
 * streams are counter-based ({@link Seeds}), so the seed among the settings is all the random state there is.
 *
 * @param iteration iterations done when the state was taken
 */
record RouterCheckpoint(long iteration, float[][] logits, float[][] m, float[][] v, long[] adamSteps,
                        long[] earlierUpdates, float[] lambda,
                        double beta, float[][] benefits, double correction, double landedThreshold) {
    static final String FORMAT = TrainingCheckpoints.ROUTER_FORMAT;
    private static final String SETTING = "setting.";

    /** A copy of the trainer's state now. */
    static RouterCheckpoint of(long iteration, TrainableRouter router, float[] lambda, double beta, UsageTargetBeta target,
                               double landedThreshold) {
        int n = router.steps();
        float[][] m = new float[n][];
        float[][] v = new float[n][];
        long[] steps = new long[n];
        for (int s = 0; s < n; s++) {
            m[s] = router.optimizer(s).firstMoment().clone();
            v[s] = router.optimizer(s).secondMoment().clone();
            steps[s] = router.optimizer(s).steps();
        }
        return new RouterCheckpoint(iteration, router.logits(), m, v, steps, router.earlierUpdates(), lambda.clone(), beta,
                target == null ? null : target.benefits(), target == null ? 0 : target.correction(), landedThreshold);
    }

    void restoreInto(TrainableRouter router) {
        router.restore(logits, m, v, adamSteps, earlierUpdates);
    }

    void restoreInto(UsageTargetBeta target) {
        if (benefits == null) {
            throw new IllegalStateException("the checkpoint has no usage-target state");
        }
        target.restore(benefits, correction, beta);
    }

    void save(Path file, RouterTrainingConfig config, String fingerprint) throws IOException {
        int n = logits.length;
        StateDict sd = new StateDict();
        sd.put("logits", flat(logits));
        sd.put("adam.m", flat(m));
        sd.put("adam.v", flat(v));
        sd.put("adam.steps", Tensor.of(exactCounts(adamSteps), n));
        if (java.util.Arrays.stream(earlierUpdates).anyMatch(c -> c != 0)) {
            sd.put("adam.earlier_updates", Tensor.of(exactCounts(earlierUpdates), n));
        }
        sd.put("iepo.lambda", Tensor.of(lambda.clone(), lambda.length));
        if (benefits != null) {
            sd.put("usage_target.benefit", flat(benefits));
        }
        Map<String, String> meta = sd.metadata();
        TrainingCheckpoints.stamp(meta, FORMAT);
        meta.put("iteration", Long.toString(iteration));
        meta.put("model_fingerprint", fingerprint);
        meta.put("beta", Double.toString(beta));
        meta.put("usage_target.correction", Double.toString(correction));
        if (!Double.isNaN(landedThreshold)) {
            meta.put("usage_target.landed_threshold", Double.toString(landedThreshold));
        }
        for (Map.Entry<String, String> e : config.trajectorySettings().entrySet()) {
            meta.put(SETTING + e.getKey(), e.getValue());
        }
        SafeTensors.write(file, sd, DType.F32);
    }

    /** Reads {@code file} and checks that it was written by a run with the same settings and model. */
    static RouterCheckpoint load(Path file, RouterTrainingConfig config, String fingerprint, int units) throws IOException {
        StateDict sd = SafeTensors.read(file);
        Map<String, String> meta = sd.metadata();
        String format = meta.get(TrainingCheckpoints.FORMAT_KEY);
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException(file + ": not a router-training checkpoint (format '" + format + "')");
        }
        for (Map.Entry<String, String> e : config.trajectorySettings().entrySet()) {
            String saved = meta.get(SETTING + e.getKey());
            if (!e.getValue().equals(saved)) {
                throw new IllegalArgumentException(file + ": cannot resume: it was trained with " + e.getKey() + "="
                        + saved + " but this run has " + e.getKey() + "=" + e.getValue());
            }
        }
        String k = meta.getOrDefault(SETTING + "trajectories", "1");
        if (!k.equals(Integer.toString(config.trajectories()))) {
            throw new IllegalArgumentException(file + ": cannot resume: it was trained with trajectories=" + k
                    + " but this run has trajectories=" + config.trajectories());
        }
        if (!fingerprint.equals(meta.get("model_fingerprint"))) {
            throw new IllegalArgumentException(file + ": cannot resume: it was trained on model " + meta.get("model_fingerprint")
                    + ", not the model loaded (" + fingerprint + ")");
        }
        int n = config.steps();
        long[] steps = counts(sd.get("adam.steps", n).data());
        long[] earlier = sd.contains("adam.earlier_updates") ? counts(sd.get("adam.earlier_updates", n).data())
                : new long[n];
        return new RouterCheckpoint(Long.parseLong(meta.get("iteration")), rows(sd.get("logits", n, units)),
                rows(sd.get("adam.m", n, units)), rows(sd.get("adam.v", n, units)), steps, earlier,
                sd.get("iepo.lambda", config.trajectories() * n).data(), parseBeta(file, meta.get("beta"), config.beta()),
                config.targetsUsage() ? rows(sd.get("usage_target.benefit", n, units)) : null,
                config.targetsUsage() ? Double.parseDouble(meta.get("usage_target.correction")) : 0,
                Double.parseDouble(meta.getOrDefault("usage_target.landed_threshold", "NaN")));
    }

    private static float[] exactCounts(long[] counts) {
        float[] f = new float[counts.length];
        for (int s = 0; s < counts.length; s++) {
            if (counts[s] > (1 << 24)) {
                throw new IllegalStateException("AdamW step count " + counts[s] + " exceeds what the checkpoint stores exactly");
            }
            f[s] = counts[s];
        }
        return f;
    }

    private static long[] counts(float[] f) {
        long[] c = new long[f.length];
        for (int s = 0; s < f.length; s++) {
            c[s] = (long) f[s];
        }
        return c;
    }

    private static double parseBeta(Path file, String saved, double fallback) {
        if (saved == null) {
            return fallback; // written before β could adapt: it was the configured one
        }
        try {
            double b = Double.parseDouble(saved);
            if (b >= 0 && Double.isFinite(b)) {
                return b;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(file + ": metadata beta='" + saved + "' is not a non-negative number");
    }

    private static Tensor flat(float[][] a) {
        int u = a[0].length;
        float[] f = new float[a.length * u];
        for (int s = 0; s < a.length; s++) {
            System.arraycopy(a[s], 0, f, s * u, u);
        }
        return Tensor.of(f, a.length, u);
    }

    private static float[][] rows(Tensor t) {
        int n = t.dim(0);
        int u = t.dim(1);
        float[][] a = new float[n][u];
        for (int s = 0; s < n; s++) {
            System.arraycopy(t.data(), s * u, a[s], 0, u);
        }
        return a;
    }
}
