package io.ditcache.eval;

import io.ditcache.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FeatureStatisticsTest {
    @Test
    void matchesNumpyMeanAndUnbiasedCovariance() throws IOException {
        ReferenceFixture f = new ReferenceFixture("/eval/frechet.txt");
        FeatureStatistics s = FeatureStatistics.of(f.get("features.f1").floatRows());
        assertEquals(50, s.count());
        assertArrayEquals(f.get("features.mu1").values(), s.mean(), 1e-12);
        double[][] cov = f.get("features.cov1").matrix();
        for (int i = 0; i < cov.length; i++) {
            assertArrayEquals(cov[i], s.covariance()[i], 1e-12, "row " + i);
        }
    }

    @Test
    void naiveTwoByTwo() {
        // x = (1, 2, 3, 6), y = (2, 2, 0, 4): means 3 and 2, unbiased var x = 14/3, var y = 8/3, cov = 6/3.
        FeatureStatistics s = FeatureStatistics.of(Tensor.of(new float[] {1, 2, 2, 2, 3, 0, 6, 4}, 4, 2));
        assertArrayEquals(new double[] {3, 2}, s.mean(), 1e-15);
        assertArrayEquals(new double[] {14 / 3.0, 2}, s.covariance()[0], 1e-14);
        assertArrayEquals(new double[] {2, 8 / 3.0}, s.covariance()[1], 1e-14);
    }

    @Test
    void rejectsTooFewOrRaggedVectors() {
        assertThrows(IllegalArgumentException.class, () -> FeatureStatistics.of(new float[][] {{1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> FeatureStatistics.of(new float[][] {{1, 2}, {3}}));
    }
}
