package io.ditcache.eval;

import io.ditcache.tensor.Tensor;

/**
 * A classifier that judges generated images: its predictions give class consistency and its penultimate
 * features the Fréchet distance ("FID in classifier features", not Inception FID).
 */
public interface SampleJudge {
    /** Feature vectors [N][F] for images [N, C, H, W] in [-1, 1]. */
    float[][] features(Tensor images);

    /** Predicted class per image. */
    int[] predict(Tensor images);
}
