package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void coversEveryIndexExactlyOnce() {
        for (int[] range : new int[][] {{0, 0}, {5, 6}, {3, 10}, {-4, 97}, {0, 1000}}) {
            int start = range[0];
            int end = range[1];
            AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(0, end - start));
            Parallel.parallelFor(start, end, i -> hits.incrementAndGet(i - start));
            for (int i = 0; i < hits.length(); i++) {
                assertEquals(1, hits.get(i), "index " + (start + i) + " in [" + start + ", " + end + ")");
            }
        }
    }

    @Test
    void nestedLoopsRunInlineAndStillCoverAll() {
        AtomicIntegerArray hits = new AtomicIntegerArray(40 * 30);
        Parallel.parallelFor(0, 40, i -> Parallel.parallelFor(0, 30, j -> hits.incrementAndGet(i * 30 + j)));
        for (int i = 0; i < hits.length(); i++) {
            assertEquals(1, hits.get(i));
        }
    }
}
