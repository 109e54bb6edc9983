package io.ditcache.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Merged moments equal the moments of the union, and give the two-pass statistics. */
class FeatureMomentsTest {
    private static float[][] rows(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) (3 + 2 * r.nextDouble() + (j % 3) * r.nextDouble());
            }
        }
        return x;
    }

    @Test
    void mergingPartsGivesTheMomentsOfTheWhole() {
        float[][] x = rows(50, 6, 1);
        FeatureMoments whole = FeatureMoments.of(x);
        FeatureMoments merged = FeatureMoments.of(Arrays.copyOfRange(x, 0, 1))
                .merge(FeatureMoments.of(Arrays.copyOfRange(x, 1, 17)))
                .merge(FeatureMoments.of(Arrays.copyOfRange(x, 17, 50)));
        assertEquals(50, merged.count());
        assertArrayEquals(whole.mean(), merged.mean(), 1e-12);
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(whole.m2()[i], merged.m2()[i], 1e-10 * Math.abs(whole.m2()[i][i]));
        }
        FeatureStatistics s = FeatureStatistics.of(x);
        assertArrayEquals(s.mean(), whole.statistics().mean(), 0);
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(s.covariance()[i], whole.statistics().covariance()[i], 0, "same bits as the two-pass form");
        }
        assertThrows(IllegalArgumentException.class, () -> FeatureMoments.of(Arrays.copyOf(x, 1)).statistics());
        assertThrows(IllegalArgumentException.class, () -> whole.merge(FeatureMoments.of(rows(3, 5, 2))));
    }
}
