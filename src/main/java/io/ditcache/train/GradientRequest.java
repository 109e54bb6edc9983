package io.ditcache.train;

/**
 * Which gradients a {@link DiTTape} backward returns besides dL/dw of the mixed units (always returned), chosen at
 * forward time because it decides which activations the tape keeps.
 *
 * @param weights weight gradients (the base-model training); without it the model is frozen and no weight
 *                gradient is computed
 * @param input   dL/dx of the input latent
 */
public record GradientRequest(boolean weights, boolean input) {
    /** Router training: only dL/dw of the mixed units, activations kept only downstream of the first mixed unit. */
    public static final GradientRequest ROUTER = new GradientRequest(false, false);
    /** Base-model training: weight gradients too. */
    public static final GradientRequest WEIGHTS = new GradientRequest(true, false);
    /** Everything: weight gradients and the input gradient. */
    public static final GradientRequest ALL = new GradientRequest(true, true);

    /** Whether the backward has to reach the embeddings (so every unit's branch is taped). */
    boolean reachesEmbeddings() {
        return weights || input;
    }
}
