package io.ditcache.eval;

import io.ditcache.tensor.Parallel;
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
        int d = features[0].length;
        double[][] rows = new double[features.length][];
        for (int n = 0; n < features.length; n++) {
            if (features[n].length != d) {
                throw new IllegalArgumentException("feature vector " + n + " has length " + features[n].length + ", expected " + d);
            }
            rows[n] = new double[d];
            for (int j = 0; j < d; j++) {
                rows[n][j] = features[n][j];
            }
        }
        return ofRows(rows);
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

    /** Two passes: the mean, then the covariance of the centred rows (which {@code rows} becomes). */
    private static FeatureStatistics ofRows(double[][] rows) {
        int count = rows.length;
        int d = rows[0].length;
        double[] mean = new double[d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= count;
        }
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                row[j] -= mean[j];
            }
        }
        double[][] cov = new double[d][d];
        Parallel.parallelFor(0, d, i -> {
            double[] acc = cov[i];
            for (double[] row : rows) {
                double ci = row[i];
                for (int j = i; j < d; j++) {
                    acc[j] += ci * row[j];
                }
            }
            for (int j = i; j < d; j++) {
                acc[j] /= count - 1;
            }
        });
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                cov[i][j] = cov[j][i];
            }
        }
        return new FeatureStatistics(mean, cov, count);
    }
}
