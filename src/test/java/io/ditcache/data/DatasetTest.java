package io.ditcache.data;

import io.ditcache.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DatasetTest {
    /** 23 images of [1, 2, 3] whose every pixel equals the image index, labels = index mod 3. */
    private static Dataset numbered() {
        int n = 23;
        float[] data = new float[n * 6];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(data, i * 6, i * 6 + 6, i);
            labels[i] = i % 3;
        }
        return new Dataset("numbered", Tensor.of(data, n, 1, 2, 3), labels, List.of("a", "b", "c"));
    }

    @Test
    void shuffledEpochVisitsEveryImageOnceWithMatchingLabels() {
        Dataset d = numbered();
        List<Integer> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (Dataset.Batch b : d.batches(5, 42)) {
            sizes.add(b.size());
            for (int k = 0; k < b.size(); k++) {
                int i = b.indices()[k];
                assertEquals(i, b.images().get(k, 0, 1, 2));
                assertEquals(i % 3, b.labels()[k]);
                seen.add(i);
            }
        }
        assertEquals(List.of(5, 5, 5, 5, 3), sizes);
        List<Integer> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        for (int i = 0; i < 23; i++) {
            assertEquals(i, sorted.get(i));
        }
        assertFalse(seen.equals(sorted), "a shuffled epoch should not come out in order");
    }

    @Test
    void shuffleIsDeterministicPerSeed() {
        Dataset d = numbered();
        assertArrayEquals(d.shuffledOrder(7), d.shuffledOrder(7));
        assertFalse(Arrays.equals(d.shuffledOrder(7), d.shuffledOrder(8)));
    }

    @Test
    void inOrderAndHeadAndRandomBatch() {
        Dataset d = numbered();
        Dataset.Batch first = d.batchesInOrder(10).iterator().next();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, first.indices());
        assertArrayEquals(d.head(4).images().data(), Arrays.copyOf(first.images().data(), 24));
        Dataset.Batch r = d.randomBatch(50, new SplittableRandom(1));
        assertEquals(50, r.size());
        for (int k = 0; k < 50; k++) {
            assertEquals(r.indices()[k], r.images().get(k, 0, 0, 0));
        }
    }

    @Test
    void validatesShapesAndLabels() {
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("x", Tensor.zeros(2, 1, 2, 2), new int[] {0}, List.of("a")));
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("x", Tensor.zeros(1, 1, 2, 2), new int[] {1}, List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> numbered().batches(0, 1));
    }
}
