package io.ditcache.cli;

import io.ditcache.model.DiT;

/** The default model that ships inside the jar (trained here on Fashion-MNIST). */
final class EmbeddedModel {
    private EmbeddedModel() {
    }

    static DiT load() {
        throw new IllegalArgumentException("the embedded default model is not trained yet (issue 5); pass --model FILE"
                + " or a preset with --random-weights");
    }
}
