package io.ditcache.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.Parallel;
import org.junit.jupiter.api.Test;

class WarmupTest {
    @Test
    void offByDefault() {
        assertFalse(Warmup.pending());
        assertEquals(0, Warmup.kernels());
    }

    @Test
    void runsEveryKernelWithinItsBudget() {
        int left = Parallel.withThreads(1, Warmup::run);
        assertTrue(left >= 0, "kernels still allocating: " + left);
    }
}
