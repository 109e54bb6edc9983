package io.ditcache.eval;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrechetDistanceTest {
    private static double[][] diag(double... v) {
        double[][] m = new double[v.length][v.length];
        for (int i = 0; i < v.length; i++) {
            m[i][i] = v[i];
        }
        return m;
    }

    @Test
    void commutingDiagonalCovariancesMatchClosedForm() {
        double[] a = {1.0, 4.0, 0.25, 9.0};
        double[] b = {2.0, 1.0, 0.25, 0.0};
        double[] mu1 = {0, 1, 2, 3};
        double[] mu2 = {1, 1, 0, 3};
        double expected = 1 + 4;
        for (int i = 0; i < a.length; i++) {
            expected += Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2);
        }
        assertEquals(expected, FrechetDistance.compute(mu1, diag(a), mu2, diag(b)), 1e-12);
    }

    @Test
    void rotatedCommutingCaseMatchesClosedForm() {
        // Same eigenvalues as above in a rotated basis: S = R diag R^T; the distance is basis-independent.
        double t = 0.7;
        double c = Math.cos(t), s = Math.sin(t);
        double[][] r = {{c, -s}, {s, c}};
        double[][] s1 = rotate(r, diag(3, 0.5));
        double[][] s2 = rotate(r, diag(1, 2));
        double expected = Math.pow(Math.sqrt(3) - 1, 2) + Math.pow(Math.sqrt(0.5) - Math.sqrt(2), 2);
        assertEquals(expected, FrechetDistance.compute(new double[2], s1, new double[2], s2), 1e-12);
    }

    private static double[][] rotate(double[][] r, double[][] d) {
        int n = r.length;
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    out[i][j] += r[i][k] * d[k][k] * r[j][k];
                }
            }
        }
        return out;
    }

    @Test
    void nonCommutingCaseMatchesNumpyReference() throws IOException {
        ReferenceFixture f = new ReferenceFixture("/eval/frechet.txt");
        double fd = FrechetDistance.compute(f.get("dense.mu1").values(), f.get("dense.s1").matrix(),
                f.get("dense.mu2").values(), f.get("dense.s2").matrix());
        assertEquals(f.get("dense.fd").values()[0], fd, 1e-10);
        double fdSwapped = FrechetDistance.compute(f.get("dense.mu2").values(), f.get("dense.s2").matrix(),
                f.get("dense.mu1").values(), f.get("dense.s1").matrix());
        assertEquals(fd, fdSwapped, 1e-10, "symmetry");
    }

    @Test
    void singularCovariancesMatchNumpyReference() throws IOException {
        ReferenceFixture f = new ReferenceFixture("/eval/frechet.txt");
        double fd = FrechetDistance.compute(new double[6], f.get("singular.s1").matrix(), new double[6],
                f.get("singular.s2").matrix());
        assertEquals(f.get("singular.fd").values()[0], fd, 1e-11);
    }

    @Test
    void endToEndFromFeaturesMatchesNumpyReference() throws IOException {
        ReferenceFixture f = new ReferenceFixture("/eval/frechet.txt");
        FeatureStatistics a = FeatureStatistics.of(f.get("features.f1").floatRows());
        FeatureStatistics b = FeatureStatistics.of(f.get("features.f2").floatRows());
        assertEquals(f.get("features.fd").values()[0], FrechetDistance.between(a, b), 1e-10);
        assertEquals(f.get("features.fd").values()[0], FrechetDistance.between(b, a), 1e-10);
    }

    @Test
    void identicalStatisticsGiveZero() {
        Random rng = new Random(3);
        float[][] x = new float[200][12];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) rng.nextGaussian() * (j + 1);
            }
        }
        FeatureStatistics s = FeatureStatistics.of(x);
        double fd = FrechetDistance.between(s, s);
        assertTrue(fd >= 0 && fd < 1e-9, "FD(s, s) = " + fd);
    }

    @Test
    void rejectsMismatchedDimensions() {
        assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.compute(new double[2], diag(1, 1), new double[3], diag(1, 1, 1)));
        double[][] ragged = {{1, 0}, {0}};
        assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.compute(new double[2], ragged, new double[2], diag(1, 1)));
    }
}
