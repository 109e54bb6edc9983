package io.ditcache.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.Parallel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

class WarmupTest {
    /** Keeps allocations reachable so that the JIT cannot remove them. */
    private static volatile Object sink;

    @Test
    void warmsOnTheModelsShapeByDefault() {
        // the tests' JVM sets no -Dditcache.warmup, so this is the default a user gets
        assertEquals(Warmup.SHAPES, Warmup.mode());
    }

    @Test
    void aKernelCountsAsWarmOnceItStopsAllocating() {
        AtomicInteger calls = new AtomicInteger();
        IntConsumer coldThenWarm = i -> {
            calls.incrementAndGet();
            if (i < 3) {
                sink = new float[64 * 1024];
            }
        };
        assertEquals(0, Warmup.run(List.of(coldThenWarm), 2048, 8, 60_000_000_000L));
        assertEquals(3 + 8, calls.get(), "3 allocating calls, then 8 warm ones in a row, then it stops");
    }

    @Test
    void aKernelThatKeepsAllocatingIsReportedWhenTheBudgetRunsOut() {
        IntConsumer alwaysCold = i -> sink = new float[64 * 1024];
        IntConsumer warm = i -> { };
        long start = System.nanoTime();
        assertEquals(1, Warmup.run(List.of(warm, alwaysCold), 2048, 8, 200_000_000L));
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "stops at the budget");
    }

    @Test
    void warmsTheModelKernelsWithoutFailing() {
        int left = Parallel.withThreads(1, Warmup::run);
        // How many stay cold depends on the JIT and the machine's load (JDK 17 sometimes compiles a kernel that
        // boxes), so only the range is a contract here; the counting itself is tested above.
        int kernels = Warmup.forwardKernels().size();
        assertTrue(left >= 0 && left <= kernels, "kernels still allocating: " + left + " of " + kernels);
    }
}
