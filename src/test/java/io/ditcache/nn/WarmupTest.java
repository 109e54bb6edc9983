package io.ditcache.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WarmupTest {
    @Test
    void runsOncePerJvm() {
        int left = Warmup.kernels();
        assertTrue(left >= 0, "kernels still allocating: " + left);
        assertFalse(Warmup.pending());
        assertEquals(0, Warmup.kernels(), "a second call has nothing to do");
    }
}
