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

    @Test
    void returnsOnlyAfterEveryIndexHasFinished() {
        // Slow bodies on both threads: a helper that started must be waited for, never abandoned.
        for (int rep = 0; rep < 20; rep++) {
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            Parallel.parallelFor(0, 8, i -> {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                done.incrementAndGet();
            });
            org.junit.jupiter.api.Assertions.assertEquals(8, done.get());
        }
    }

    @Test
    void withThreadsSetsTheCountOfTheCallingThreadAloneAndRestoresIt() throws Exception {
        int processWide = Parallel.threads();
        int[] elsewhere = new int[1];
        Parallel.withThreads(3, () -> {
            assertEquals(3, Parallel.threadsHere());
            Thread other = new Thread(() -> elsewhere[0] = Parallel.threadsHere());
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            assertEquals(1, Parallel.withThreads(1, Parallel::threadsHere));
            assertEquals(3, Parallel.threadsHere(), "the inner count ends with its body");
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            Parallel.parallelFor(0, 100, i -> {
                assertEquals(1, Parallel.threadsHere(), "nested regions run inline");
                hits.incrementAndGet(i);
            });
            for (int i = 0; i < hits.length(); i++) {
                assertEquals(1, hits.get(i));
            }
            return null;
        });
        assertEquals(processWide, elsewhere[0], "another thread keeps the process-wide count");
        assertEquals(processWide, Parallel.threadsHere());
        assertEquals(processWide, Parallel.threads());
    }
}
