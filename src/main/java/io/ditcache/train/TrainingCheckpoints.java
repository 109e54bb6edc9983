package io.ditcache.train;

import io.ditcache.Provenance;
import java.util.Map;

/**
 * What the checkpoints of both trainers ({@code OUT.ckpt.safetensors} of {@link RouterTrainer} and
 * {@link DiffusionTrainer}) share in their metadata: a {@value #FORMAT_KEY} that tells their kind, and the
 * {@link Provenance} of the process that wrote them under {@value #PROVENANCE_PREFIX}. The provenance is
 * informational: resuming compares the training settings (and a router's model), never the provenance, so a
 * checkpoint resumes under another ditcache, Java or thread count (and the next checkpoint records the resuming
 * process).
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

    /** What a training checkpoint resumes. */
    public enum Kind {
        /** {@link RouterTrainer}'s. */
        ROUTER_TRAINING("router training"),
        /** {@link DiffusionTrainer}'s. */
        MODEL_TRAINING("model training");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /**
     * The kind of training checkpoint whose metadata this is (a model checkpoint of an earlier version, which records
     * no format, is told by its {@code settings}), or null for another file.
     */
    public static Kind kind(Map<String, String> metadata) {
        String format = metadata.get(FORMAT_KEY);
        if (ROUTER_FORMAT.equals(format)) {
            return Kind.ROUTER_TRAINING;
        }
        boolean olderModelCheckpoint = format == null && metadata.containsKey("iteration")
                && metadata.getOrDefault("settings", "").startsWith("Settings[");
        return MODEL_FORMAT.equals(format) || olderModelCheckpoint ? Kind.MODEL_TRAINING : null;
    }
}
