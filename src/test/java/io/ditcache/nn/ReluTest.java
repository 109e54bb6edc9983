package io.ditcache.nn;

import static io.ditcache.nn.CnnGradCheck.assertGradientClose;
import static io.ditcache.nn.CnnGradCheck.dot;
import static io.ditcache.nn.CnnGradCheck.numericGradient;
import static io.ditcache.nn.CnnGradCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReluTest {
    @Test
    void clampsNegativesInPlace() {
        float[] x = {-2f, -0f, 0f, 0.5f, 3f};
        Relu.forward(x, x, x.length);
        assertArrayEquals(new float[] {0f, 0f, 0f, 0.5f, 3f}, x, 0f);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = random(rng, 40, 1);
        for (int i = 0; i < x.length; i++) {
            // keep every input at least 0.05 from the kink
            x[i] += Math.copySign(0.05f, x[i]);
        }
        float[] r = random(rng, x.length, 1);
        float[] out = new float[x.length];
        java.util.function.DoubleSupplier loss = () -> {
            Relu.forward(out, x, x.length);
            return dot(out, r);
        };
        loss.getAsDouble();
        float[] dx = new float[x.length];
        Relu.backward(dx, r, out, x.length);
        assertGradientClose("dIn", dx, numericGradient(x, loss, 1e-2f), 1e-4);
    }
}
