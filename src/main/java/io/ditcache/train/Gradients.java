package io.ditcache.train;

import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;

/**
 * What a {@link DiTTape} backward returns.
 *
 * @param unitWeights dL/dw[k] = sum(dL/du_k (fresh_k - cached_k)) per unit (0 where the unit was not mixed)
 * @param weights     dL/dW under the checkpoint keys and shapes (every key but the fixed {@code pos_embed}),
 *                    or null when not requested
 * @param input       dL/dx [B, C_in, H, W] of the forward's input x (both CFG halves summed), or null
 */
public record Gradients(float[] unitWeights, StateDict weights, Tensor input) {
}
