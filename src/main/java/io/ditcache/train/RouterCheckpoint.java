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
 * to 2^24), {@code iepo.lambda [steps]}, and metadata {@code format=ditcache-router-checkpoint}, {@code iteration},
 * {@code model_fingerprint} and every {@link RouterTrainingConfig#trajectorySettings() setting} under
 * {@code setting.KEY}. Random streams are counter-based ({@link Seeds}), so the seed among the settings is all the
 * random state there is.
 *
 * @param iteration iterations done when the state was taken
 */
record RouterCheckpoint(long iteration, float[][] logits, float[][] m, float[][] v, long[] adamSteps, float[] lambda) {
    static final String FORMAT = "ditcache-router-checkpoint";
    private static final String SETTING = "setting.";

    /** A copy of the trainer's state now. */
    static RouterCheckpoint of(long iteration, TrainableRouter router, float[] lambda) {
        int n = router.steps();
        float[][] m = new float[n][];
        float[][] v = new float[n][];
        long[] steps = new long[n];
        for (int s = 0; s < n; s++) {
            m[s] = router.optimizer(s).firstMoment().clone();
            v[s] = router.optimizer(s).secondMoment().clone();
            steps[s] = router.optimizer(s).steps();
        }
        return new RouterCheckpoint(iteration, router.logits(), m, v, steps, lambda.clone());
    }

    void restoreInto(TrainableRouter router) {
        router.restore(logits, m, v, adamSteps);
    }

    void save(Path file, RouterTrainingConfig config, String fingerprint) throws IOException {
        int n = logits.length;
        StateDict sd = new StateDict();
        sd.put("logits", flat(logits));
        sd.put("adam.m", flat(m));
        sd.put("adam.v", flat(v));
        float[] st = new float[n];
        for (int s = 0; s < n; s++) {
            if (adamSteps[s] > (1 << 24)) {
                throw new IllegalStateException("AdamW step count " + adamSteps[s] + " exceeds what the checkpoint stores exactly");
            }
            st[s] = adamSteps[s];
        }
        sd.put("adam.steps", Tensor.of(st, n));
        sd.put("iepo.lambda", Tensor.of(lambda.clone(), n));
        Map<String, String> meta = sd.metadata();
        meta.put("format", FORMAT);
        meta.put("iteration", Long.toString(iteration));
        meta.put("model_fingerprint", fingerprint);
        for (Map.Entry<String, String> e : config.trajectorySettings().entrySet()) {
            meta.put(SETTING + e.getKey(), e.getValue());
        }
        SafeTensors.write(file, sd, DType.F32);
    }

    /** Reads {@code file} and checks that it was written by a run with the same settings and model. */
    static RouterCheckpoint load(Path file, RouterTrainingConfig config, String fingerprint, int units) throws IOException {
        StateDict sd = SafeTensors.read(file);
        Map<String, String> meta = sd.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IllegalArgumentException(file + ": not a router-training checkpoint (format '" + meta.get("format") + "')");
        }
        for (Map.Entry<String, String> e : config.trajectorySettings().entrySet()) {
            String saved = meta.get(SETTING + e.getKey());
            if (!e.getValue().equals(saved)) {
                throw new IllegalArgumentException(file + ": cannot resume: it was trained with " + e.getKey() + "="
                        + saved + " but this run has " + e.getKey() + "=" + e.getValue());
            }
        }
        if (!fingerprint.equals(meta.get("model_fingerprint"))) {
            throw new IllegalArgumentException(file + ": cannot resume: it was trained on model " + meta.get("model_fingerprint")
                    + ", not the model loaded (" + fingerprint + ")");
        }
        int n = config.steps();
        float[] st = sd.get("adam.steps", n).data();
        long[] steps = new long[n];
        for (int s = 0; s < n; s++) {
            steps[s] = (long) st[s];
        }
        return new RouterCheckpoint(Long.parseLong(meta.get("iteration")), rows(sd.get("logits", n, units)),
                rows(sd.get("adam.m", n, units)), rows(sd.get("adam.v", n, units)), steps,
                sd.get("iepo.lambda", n).data());
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
