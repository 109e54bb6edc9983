package io.ditcache.cache;

import io.ditcache.model.DiT;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A learned cache router: logits {@code [steps][2*depth]} indexed by spaced step (0 = least noisy) and unit, with
 * score {@code sigmoid(logit)}; a unit is computed where the score exceeds the threshold, subject to the
 * {@link RouterMethod}'s forced full steps. Carries what it was made for (sampler, steps, guidance scale, model
 * fingerprint) and free-form provenance (trainer settings, source file, revision). Immutable.
 */
public final class Router {
    /** Default inference threshold of both papers (θ = 0.1 at 256x256). */
    public static final double DEFAULT_THRESHOLD = 0.1;

    private final RouterMethod method;
    private final float[][] logits;
    private final String sampler;
    private final double cfg;
    private final String modelFingerprint;
    private final double defaultThreshold;
    private final Map<String, String> provenance;

    /**
     * @param modelFingerprint {@link ModelFingerprint#of} of the model it was trained for, or "" when unknown (then
     *                         only depth and steps are checked on use)
     * @param cfg              guidance scale it was made for, NaN when unknown
     */
    public Router(RouterMethod method, float[][] logits, String sampler, double cfg, String modelFingerprint,
                  double defaultThreshold, Map<String, String> provenance) {
        if (method == null) {
            throw new IllegalArgumentException("router method is missing");
        }
        if (logits.length == 0 || logits[0].length == 0 || logits[0].length % 2 != 0) {
            throw new IllegalArgumentException("router logits must be [steps >= 1][2*depth >= 2], got ["
                    + logits.length + "][" + (logits.length == 0 ? 0 : logits[0].length) + "]");
        }
        this.logits = new float[logits.length][];
        for (int s = 0; s < logits.length; s++) {
            if (logits[s].length != logits[0].length) {
                throw new IllegalArgumentException("router logits row " + s + " has " + logits[s].length
                        + " units, row 0 has " + logits[0].length);
            }
            for (int u = 0; u < logits[s].length; u++) {
                if (!Float.isFinite(logits[s][u])) {
                    throw new IllegalArgumentException("router logit at step " + s + ", unit " + u + " is "
                            + logits[s][u] + "; logits must be finite");
                }
            }
            this.logits[s] = logits[s].clone();
        }
        if (!(defaultThreshold > 0 && defaultThreshold < 1)) {
            throw new IllegalArgumentException("router default threshold must be in (0, 1), got " + defaultThreshold);
        }
        this.method = method;
        this.sampler = sampler == null ? "" : sampler;
        this.cfg = cfg;
        this.modelFingerprint = modelFingerprint == null ? "" : modelFingerprint;
        this.defaultThreshold = defaultThreshold;
        this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    public RouterMethod method() {
        return method;
    }

    public int steps() {
        return logits.length;
    }

    public int units() {
        return logits[0].length;
    }

    public int depth() {
        return units() / 2;
    }

    public float logit(int step, int unit) {
        return logits[step][unit];
    }

    /** A copy of the logits. */
    public float[][] logits() {
        float[][] c = new float[logits.length][];
        for (int s = 0; s < logits.length; s++) {
            c[s] = logits[s].clone();
        }
        return c;
    }

    /** sigmoid(logit), the "activation probability" of the unit. */
    public double score(int step, int unit) {
        return 1.0 / (1.0 + Math.exp(-logits[step][unit]));
    }

    public String sampler() {
        return sampler;
    }

    public double cfg() {
        return cfg;
    }

    public String modelFingerprint() {
        return modelFingerprint;
    }

    public double defaultThreshold() {
        return defaultThreshold;
    }

    public Map<String, String> provenance() {
        return provenance;
    }

    /** The plan at {@code threshold}: computed where score > threshold or the method forces a full step. */
    public CachePlan plan(double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("router threshold must be in [0, 1], got " + threshold);
        }
        int steps = steps();
        boolean[][] compute = new boolean[steps][units()];
        for (int s = 0; s < steps; s++) {
            boolean full = method.fullStep(s, steps);
            for (int u = 0; u < units(); u++) {
                compute[s][u] = full || score(s, u) > threshold;
            }
        }
        return CachePlan.of(compute);
    }

    /**
     * Null when the router records its model's fingerprint; otherwise a warning, for the user, that only depth and
     * step count can be checked (routers imported with {@link RouterImport} without a model have none). Such a
     * router is used, not refused, since an imported router is legitimate; callers should print the warning.
     */
    public String unverifiedModelWarning(String source) {
        if (!modelFingerprint.isEmpty()) {
            return null;
        }
        return "warning: " + source + ": the router file has no model fingerprint, so only its depth (" + depth()
                + ") and step count (" + steps() + ") could be checked against the model; a router trained for another"
                + " model of that depth would silently reuse the wrong units";
    }

    /**
     * Null when the router is used with the sampler and guidance scale it was trained for (or it does not record
     * them); otherwise a warning naming both values. A router's plan was learned on one sampler's trajectories at one
     * guidance scale, so on another it still runs but its choice of units may no longer fit. (A router used with
     * another step count is refused by {@link #checkFits}: its logits have one row per step.) The settings are named
     * as the library names them: {@code sampler}, {@code cfg}.
     */
    public String settingsWarning(String source, String usedSampler, double usedCfg) {
        return settingsWarning(source, usedSampler, usedCfg, UnaryOperator.identity());
    }

    /**
     * As {@link #settingsWarning(String, String, double)}, each setting named by {@code name} applied to the library's
     * name ({@code sampler}, {@code cfg}): the command line names its flags ({@code --sampler}).
     */
    public String settingsWarning(String source, String usedSampler, double usedCfg, UnaryOperator<String> name) {
        boolean otherSampler = !sampler.isEmpty() && usedSampler != null
                && !canonicalSampler(sampler).equals(canonicalSampler(usedSampler));
        boolean otherCfg = !Double.isNaN(cfg) && Math.abs(cfg - usedCfg) > 1e-6;
        if (!otherSampler && !otherCfg) {
            return null;
        }
        String s = name.apply("sampler");
        String c = name.apply("cfg");
        String what = (otherSampler ? "sampler " + sampler + " but is used with " + s + " " + usedSampler : "")
                + (otherSampler && otherCfg ? ", and for " : "")
                + (otherCfg ? "guidance " + c + " " + fmt(cfg) + " but is used with " + c + " " + fmt(usedCfg) : "");
        return "warning: " + source + ": the router was trained for " + what + "; its plan may not fit these"
                + " trajectories (to use it as trained: " + (otherSampler ? s + " " + sampler : "")
                + (otherSampler && otherCfg ? ", " : "") + (otherCfg ? c + " " + fmt(cfg) : "") + ")";
    }

    private static String canonicalSampler(String name) {
        String s = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        return s.replace("dpmpp2m", "dpm++2m").replace("dpm-solver++", "dpm++2m").replace("dpmsolver++", "dpm++2m");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.format(java.util.Locale.ROOT, "%.1f", v)
                : String.format(java.util.Locale.ROOT, "%s", (float) v);
    }

    /**
     * Checks that this router can drive {@code model} with an {@code steps}-step sampler; {@code source} (e.g. the
     * file name) starts the error message.
     */
    public void checkFits(DiT model, int steps, String source) {
        int depth = model.config().depth();
        if (depth() != depth) {
            throw new IllegalArgumentException(source + ": router made for depth " + depth() + " (" + units()
                    + " units) but the model " + model.config().name() + " has depth " + depth);
        }
        if (steps() != steps) {
            throw new IllegalArgumentException(source + ": router made for " + steps() + " sampling steps but "
                    + steps + " were requested; sample with " + steps() + " steps or train a router for " + steps);
        }
        if (!modelFingerprint.isEmpty()) {
            String actual = ModelFingerprint.of(model);
            if (!modelFingerprint.equals(actual)) {
                throw new IllegalArgumentException(source + ": router made for another model (fingerprint "
                        + modelFingerprint + ") than the one loaded (" + actual + ")");
            }
        }
    }
}
