package io.ditcache.eval;

import io.ditcache.tensor.Tensor;

/**
 * Mean and unbiased covariance (divided by N - 1, as {@code numpy.cov} and pytorch-fid) of a set of feature
 * vectors, computed in double from float features: the two Gaussians a {@link FrechetDistance} compares.
 */
public record FeatureStatistics(double[] mean, double[][] covariance, int count) {

    public FeatureStatistics {
        if (covariance.length != mean.length) {
            throw new IllegalArgumentException("covariance is " + covariance.length + " x ? for a mean of length " + mean.length);
        }
        for (double[] row : covariance) {
            if (row.length != mean.length) {
                throw new IllegalArgumentException("covariance row of length " + row.length + " for a mean of length " + mean.length);
            }
        }
    }

    public int dimension() {
        return mean.length;
    }

    /** Statistics of {@code features[n][d]} (at least two vectors, all of one length). */
    public static FeatureStatistics of(float[][] features) {
        if (features.length < 2) {
            throw new IllegalArgumentException("feature statistics need at least 2 vectors, got " + features.length);
        }
        return FeatureMoments.of(features).statistics();
    }

    /** Statistics of the rows of a [N, D] tensor. */
    public static FeatureStatistics of(Tensor features) {
        if (features.rank() != 2) {
            throw new IllegalArgumentException("features must be [N, D], got " + features.shapeString());
        }
        int n = features.dim(0);
        int d = features.dim(1);
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = java.util.Arrays.copyOfRange(features.data(), i * d, (i + 1) * d);
        }
        return of(rows);
    }
}
