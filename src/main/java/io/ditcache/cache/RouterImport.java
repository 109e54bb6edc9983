package io.ditcache.cache;

import io.ditcache.io.TorchCheckpoint;
import io.ditcache.io.WeightsFormatException;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports the routers saved by the official L2C and HarmoniCa code ({@code torch.save} of
 * {@code {"routers": {"i.prob": float32[2*depth], ...}, "opt": ..., "args": argparse.Namespace}}, key i = spaced
 * step index) into a {@link Router}. The method is the one given, else detected: HarmoniCa's arguments carry
 * {@code lambda_c} (IEPO), and its router N-1 is fixed at logit 5.0; other checkpoints with arguments are L2C.
 * The guidance scale comes from {@code args.cfg_scale} when present (else unknown); the sampler is DDIM, the only
 * one both codebases train for; every scalar argument is kept as provenance {@code args.NAME}.
 */
public final class RouterImport {
    /** HarmoniCa's fixed first-step logit. */
    static final float HARMONICA_FIRST_LOGIT = 5.0f;

    private RouterImport() {
    }

    /**
     * Reads an official {@code .pt} router checkpoint (without running pickled code).
     *
     * @param method the method, or null to detect it
     * @param model  the model it belongs to (its fingerprint is stamped into the router), or null to leave the
     *               fingerprint empty so that only depth and steps are checked on use
     */
    public static Router read(Path file, RouterMethod method, DiT model) throws IOException {
        Object root = TorchCheckpoint.read(file);
        try {
            return fromCheckpoint(root, method, model, file.getFileName().toString());
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(file, e.getMessage(), e);
        }
    }

    /** The conversion of {@link #read} on an already unpickled checkpoint (plain Maps, Lists and Tensors). */
    public static Router fromCheckpoint(Object checkpoint, RouterMethod method, DiT model, String source) {
        if (!(checkpoint instanceof Map) || !(((Map<?, ?>) checkpoint).get("routers") instanceof Map)) {
            throw new IllegalArgumentException("not an L2C/HarmoniCa router checkpoint: expected a dict with a 'routers' dict"
                    + (checkpoint instanceof Map ? " (keys: " + ((Map<?, ?>) checkpoint).keySet() + ")" : ""));
        }
        Map<?, ?> root = (Map<?, ?>) checkpoint;
        Map<?, ?> routers = (Map<?, ?>) root.get("routers");
        Map<?, ?> args = root.get("args") instanceof Map ? (Map<?, ?>) root.get("args") : Map.of();
        float[][] logits = logits(routers);
        int steps = logits.length;
        Object declaredSteps = args.get("num_sampling_steps");
        if (declaredSteps instanceof Number && ((Number) declaredSteps).intValue() != steps) {
            throw new IllegalArgumentException("args.num_sampling_steps is " + declaredSteps + " but there are "
                    + steps + " routers");
        }
        Object modelName = args.get("model");
        if (modelName instanceof String && DiTConfig.isPreset((String) modelName)) {
            int depth = DiTConfig.preset((String) modelName).depth();
            if (2 * depth != logits[0].length) {
                throw new IllegalArgumentException("args.model is " + modelName + " (depth " + depth + ", "
                        + 2 * depth + " units) but the routers have " + logits[0].length + " units");
            }
        }
        if (model != null && model.config().units() != logits[0].length) {
            throw new IllegalArgumentException("the routers have " + logits[0].length + " units but the model "
                    + model.config().name() + " has depth " + model.config().depth() + " (" + model.config().units()
                    + " units)");
        }
        RouterMethod m = method != null ? method : detect(args, logits);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("imported_from", source);
        for (Map.Entry<?, ?> e : args.entrySet()) {
            Object v = e.getValue();
            if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
                provenance.put("args." + e.getKey(), String.valueOf(v));
            }
        }
        double cfg = args.get("cfg_scale") instanceof Number ? ((Number) args.get("cfg_scale")).doubleValue() : Double.NaN;
        return new Router(m, logits, "ddim", cfg, model == null ? "" : ModelFingerprint.of(model),
                Router.DEFAULT_THRESHOLD, provenance);
    }

    private static RouterMethod detect(Map<?, ?> args, float[][] logits) {
        if (args.containsKey("lambda_c")) {
            return RouterMethod.HARMONICA;
        }
        if (!args.isEmpty()) {
            return RouterMethod.L2C;
        }
        boolean fixedFirst = true;
        for (float v : logits[logits.length - 1]) {
            fixedFirst &= v == HARMONICA_FIRST_LOGIT;
        }
        if (fixedFirst) {
            return RouterMethod.HARMONICA;
        }
        throw new IllegalArgumentException("cannot tell whether this is an L2C or a HarmoniCa router (no 'args'); "
                + "name the method explicitly");
    }

    private static float[][] logits(Map<?, ?> routers) {
        int steps = routers.size();
        if (steps == 0) {
            throw new IllegalArgumentException("'routers' is empty");
        }
        float[][] logits = new float[steps][];
        for (Map.Entry<?, ?> e : routers.entrySet()) {
            String key = String.valueOf(e.getKey());
            int step;
            try {
                if (!key.endsWith(".prob")) {
                    throw new NumberFormatException();
                }
                step = Integer.parseInt(key.substring(0, key.length() - ".prob".length()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("unexpected key 'routers." + key + "', expected 'routers.<i>.prob'");
            }
            if (step < 0 || step >= steps || logits[step] != null) {
                throw new IllegalArgumentException("router key '" + key + "' is out of range or repeated: expected "
                        + "0.prob .. " + (steps - 1) + ".prob once each");
            }
            logits[step] = values(key, e.getValue());
        }
        for (int s = 1; s < steps; s++) {
            if (logits[s].length != logits[0].length) {
                throw new IllegalArgumentException("router '" + s + ".prob' has " + logits[s].length
                        + " logits but '0.prob' has " + logits[0].length);
            }
        }
        return logits;
    }

    private static float[] values(String key, Object v) {
        if (v instanceof Tensor) {
            Tensor t = (Tensor) v;
            if (t.rank() == 0 || t.numel() != t.dim(-1)) {
                throw new IllegalArgumentException("router '" + key + "' has shape " + t.shapeString() + ", expected a vector");
            }
            return t.data().clone();
        }
        if (v instanceof List) {
            List<?> l = (List<?>) v;
            float[] out = new float[l.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) l.get(i)).floatValue();
            }
            return out;
        }
        throw new IllegalArgumentException("router '" + key + "' is a " + (v == null ? "None" : v.getClass().getSimpleName())
                + ", expected a float tensor");
    }
}
