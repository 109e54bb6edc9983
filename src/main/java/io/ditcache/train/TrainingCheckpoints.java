package io.ditcache.train;

import io.ditcache.Provenance;
import java.util.Map;

/**
 * What the checkpoints of both trainers ({@code OUT.ckpt.safetensors} of {@link RouterTrainer} and
 * {@link DiffusionTrainer}) share in their metadata: a {@value #FORMAT_KEY} that tells their kind, and the
 * {@link Provenance} of the process that wrote them under {@value #PROVENANCE_PREFIX}. The provenance is
 * informational: resuming compares training settings only, so a checkpoint resumes under another ditcache, Java or
 * thread count (and the next checkpoint records the resuming process).
 */
public final class TrainingCheckpoints {
    /** The metadata key of a checkpoint's kind. */
    public static final String FORMAT_KEY = "format";
    /** {@value #FORMAT_KEY} of a router-training checkpoint. */
    public static final String ROUTER_FORMAT = "ditcache-router-checkpoint";
    /** {@value #FORMAT_KEY} of a model-training checkpoint (those of earlier versions record none). */
    public static final String MODEL_FORMAT = "ditcache-model-checkpoint";
    /** The prefix of the provenance keys ({@code provenance.library_version}, ...), as in router files. */
    public static final String PROVENANCE_PREFIX = "provenance.";

    private TrainingCheckpoints() {
    }

    /** Records {@code format} and the running process's provenance in a checkpoint's {@code metadata}. */
    static void stamp(Map<String, String> metadata, String format) {
        metadata.put(FORMAT_KEY, format);
        metadata.putAll(Provenance.current().toMap(PROVENANCE_PREFIX));
    }

    /**
     * The kind of training checkpoint whose metadata this is: {@code "router training"}, {@code "model training"}
     * (also for a model checkpoint of an earlier version, told by its {@code settings}), or null for another file.
     */
    public static String kind(Map<String, String> metadata) {
        String format = metadata.get(FORMAT_KEY);
        if (ROUTER_FORMAT.equals(format)) {
            return "router training";
        }
        boolean olderModelCheckpoint = format == null && metadata.containsKey("iteration")
                && metadata.getOrDefault("settings", "").startsWith("Settings[");
        return MODEL_FORMAT.equals(format) || olderModelCheckpoint ? "model training" : null;
    }
}
