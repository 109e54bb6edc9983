package io.ditcache.eval;

import io.ditcache.tensor.Parallel;

/**
 * The exact sufficient statistics of a set of feature vectors: count, mean and the sum of centred cross-products
 * (M2). Two sets merge without their vectors (Chan et al.'s pairwise update), so the statistics of samples computed
 * on many machines combine at one place into the {@link FeatureStatistics} of all, to float rounding.
 */
public record FeatureMoments(long count, double[] mean, double[][] m2) {

    public FeatureMoments {
        if (count < 1) {
            throw new IllegalArgumentException("feature moments of " + count + " vectors");
        }
        if (m2.length != mean.length) {
            throw new IllegalArgumentException("M2 is " + m2.length + " x ? for a mean of length " + mean.length);
        }
        for (double[] row : m2) {
            if (row.length != mean.length) {
                throw new IllegalArgumentException("M2 row of length " + row.length + " for a mean of length " + mean.length);
            }
        }
    }

    /** Moments of {@code features[n][d]} (at least one vector, all of one length), computed in double. */
    public static FeatureMoments of(float[][] features) {
        if (features.length < 1) {
            throw new IllegalArgumentException("feature moments need at least 1 vector");
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

    /** Two passes: the mean, then the cross-products of the centred rows (which {@code rows} becomes). */
    static FeatureMoments ofRows(double[][] rows) {
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
        double[][] m2 = new double[d][d];
        Parallel.parallelFor(0, d, i -> {
            double[] acc = m2[i];
            for (double[] row : rows) {
                double ci = row[i];
                for (int j = i; j < d; j++) {
                    acc[j] += ci * row[j];
                }
            }
        });
        mirrorUpper(m2);
        return new FeatureMoments(count, mean, m2);
    }

    public int dimension() {
        return mean.length;
    }

    /** The moments of the union of this set and {@code other}. */
    public FeatureMoments merge(FeatureMoments other) {
        if (other.dimension() != dimension()) {
            throw new IllegalArgumentException("cannot merge feature moments of dimension " + dimension() + " and "
                    + other.dimension());
        }
        int d = dimension();
        long n = count + other.count;
        double wb = (double) other.count / n;
        double cross = (double) count * other.count / n;
        double[] delta = new double[d];
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            delta[j] = other.mean[j] - this.mean[j];
            mean[j] = this.mean[j] + delta[j] * wb;
        }
        double[][] m2 = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                m2[i][j] = this.m2[i][j] + other.m2[i][j] + delta[i] * delta[j] * cross;
            }
        }
        mirrorUpper(m2);
        return new FeatureMoments(n, mean, m2);
    }

    /** Mean and unbiased covariance (M2 / (count - 1)); needs two vectors at least. */
    public FeatureStatistics statistics() {
        if (count < 2) {
            throw new IllegalArgumentException("feature statistics need at least 2 vectors, got " + count);
        }
        int d = dimension();
        double[][] cov = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                cov[i][j] = m2[i][j] / (count - 1);
            }
        }
        return new FeatureStatistics(mean.clone(), cov, Math.toIntExact(count));
    }

    private static void mirrorUpper(double[][] m) {
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < i; j++) {
                m[i][j] = m[j][i];
            }
        }
    }
}
