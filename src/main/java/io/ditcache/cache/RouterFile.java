package io.ditcache.cache;

import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.io.WeightsFormat;
import io.ditcache.io.WeightsFormatException;
import io.ditcache.model.DiT;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Router files: safetensors with one F32 tensor {@code logits [steps, 2*depth]} and {@code __metadata__}
 * <pre>
 * format=ditcache-router  version=1  method=l2c|harmonica  sampler=ddim  steps=20  depth=28  cfg=1.5|unknown
 * model_fingerprint=...|""  threshold=0.1  provenance.KEY=VALUE ...
 * </pre>
 * Loading checks the shape against the metadata, finiteness of the logits and the method name; loading for a
 * model also checks depth, step count and fingerprint. Every error names the file.
 */
public final class RouterFile {
    static final String FORMAT = "ditcache-router";
    static final String VERSION = "1";
    static final String LOGITS = "logits";
    static final String PROVENANCE = "provenance.";

    private RouterFile() {
    }

    /** Writes {@code router} to {@code file} atomically. */
    public static void save(Path file, Router router) throws IOException {
        int steps = router.steps();
        int units = router.units();
        float[] flat = new float[steps * units];
        for (int s = 0; s < steps; s++) {
            for (int u = 0; u < units; u++) {
                flat[s * units + u] = router.logit(s, u);
            }
        }
        StateDict sd = new StateDict();
        sd.put(LOGITS, Tensor.of(flat, steps, units));
        Map<String, String> m = sd.metadata();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("method", router.method().id());
        m.put("sampler", router.sampler());
        m.put("steps", Integer.toString(steps));
        m.put("depth", Integer.toString(router.depth()));
        m.put("cfg", Double.isNaN(router.cfg()) ? "unknown" : Double.toString(router.cfg()));
        m.put("model_fingerprint", router.modelFingerprint());
        m.put("threshold", Double.toString(router.defaultThreshold()));
        for (Map.Entry<String, String> e : router.provenance().entrySet()) {
            m.put(PROVENANCE + e.getKey(), e.getValue());
        }
        SafeTensors.write(file, sd, DType.F32);
    }

    /**
     * Reads and validates a router file: a ditcache router (safetensors, above) or an official L2C/HarmoniCa
     * checkpoint ({@code torch.save}, imported with {@link RouterImport}, without a model fingerprint), told apart by
     * their first bytes.
     */
    public static Router load(Path file) throws IOException {
        switch (WeightsFormat.of(file)) {
            case SAFETENSORS:
                return loadSafetensors(file);
            case TORCH_ZIP:
            case TORCH_LEGACY:
                return RouterImport.read(file, null, null);
            default:
                throw new WeightsFormatException(file, "neither a ditcache router file (safetensors) nor an official"
                        + " L2C/HarmoniCa router checkpoint (a torch.save zip)");
        }
    }

    private static Router loadSafetensors(Path file) throws IOException {
        StateDict sd = SafeTensors.read(file);
        Map<String, String> m = sd.metadata();
        if (!FORMAT.equals(m.get("format"))) {
            throw new WeightsFormatException(file, "not a ditcache router file: metadata 'format' is "
                    + (m.containsKey("format") ? "'" + m.get("format") + "'" : "missing") + ", expected '" + FORMAT + "'");
        }
        if (!VERSION.equals(m.get("version"))) {
            throw new WeightsFormatException(file, "router file version '" + m.get("version") + "' is not supported (expected "
                    + VERSION + ")");
        }
        if (!sd.contains(LOGITS)) {
            throw new WeightsFormatException(file, "no '" + LOGITS + "' tensor (tensors: " + sd.keys() + ")");
        }
        Tensor t = sd.get(LOGITS);
        int steps = intMeta(file, m, "steps");
        int depth = intMeta(file, m, "depth");
        if (t.rank() != 2 || t.dim(0) != steps || t.dim(1) != 2 * depth) {
            throw new WeightsFormatException(file, "'" + LOGITS + "' has shape " + t.shapeString()
                    + " but the metadata says steps=" + steps + ", depth=" + depth + ", i.e. [" + steps + ", "
                    + 2 * depth + "]");
        }
        float[][] logits = new float[steps][2 * depth];
        for (int s = 0; s < steps; s++) {
            System.arraycopy(t.data(), s * 2 * depth, logits[s], 0, 2 * depth);
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (e.getKey().startsWith(PROVENANCE)) {
                provenance.put(e.getKey().substring(PROVENANCE.length()), e.getValue());
            }
        }
        try {
            return new Router(RouterMethod.parse(m.get("method")), logits, m.getOrDefault("sampler", ""),
                    cfgMeta(file, m.getOrDefault("cfg", "unknown")), m.getOrDefault("model_fingerprint", ""),
                    doubleMeta(file, m, "threshold"), provenance);
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(file, e.getMessage(), e);
        }
    }

    /** Reads a router file and checks it fits {@code model} at {@code steps} sampling steps. */
    public static Router load(Path file, DiT model, int steps) throws IOException {
        Router r = load(file);
        r.checkFits(model, steps, file.toString());
        return r;
    }

    private static String meta(Path file, Map<String, String> m, String key) throws WeightsFormatException {
        String v = m.get(key);
        if (v == null) {
            throw new WeightsFormatException(file, "router metadata lacks '" + key + "'");
        }
        return v;
    }

    private static int intMeta(Path file, Map<String, String> m, String key) throws WeightsFormatException {
        String v = meta(file, m, key);
        try {
            int i = Integer.parseInt(v.trim());
            if (i < 1) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new WeightsFormatException(file, "router metadata '" + key + "' is '" + v + "', not a positive integer");
        }
    }

    private static double doubleMeta(Path file, Map<String, String> m, String key) throws WeightsFormatException {
        String v = meta(file, m, key);
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new WeightsFormatException(file, "router metadata '" + key + "' is '" + v + "', not a number");
        }
    }

    private static double cfgMeta(Path file, String v) throws WeightsFormatException {
        if (v.equals("unknown")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new WeightsFormatException(file, "router metadata 'cfg' is '" + v + "', not a number or 'unknown'");
        }
    }
}
