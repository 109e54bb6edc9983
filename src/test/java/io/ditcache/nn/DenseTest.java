package io.ditcache.nn;

import static io.ditcache.nn.CnnGradCheck.assertGradientClose;
import static io.ditcache.nn.CnnGradCheck.dot;
import static io.ditcache.nn.CnnGradCheck.numericGradient;
import static io.ditcache.nn.CnnGradCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DenseTest {
    private static final int ROWS = 3;
    private static final int IN = 5;
    private static final int OUT = 4;

    @Test
    void forwardMatchesNaiveLoops() {
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = random(rng, ROWS * IN, 1);
        float[] w = random(rng, OUT * IN, 1);
        float[] b = random(rng, OUT, 1);
        float[] out = new float[ROWS * OUT];
        Dense.forward(out, x, w, b, ROWS, IN, OUT);
        for (int r = 0; r < ROWS; r++) {
            for (int o = 0; o < OUT; o++) {
                double s = b[o];
                for (int i = 0; i < IN; i++) {
                    s += (double) x[r * IN + i] * w[o * IN + i];
                }
                assertEquals(s, out[r * OUT + o], 1e-5);
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(2);
        float[] x = random(rng, ROWS * IN, 1);
        float[] w = random(rng, OUT * IN, 1);
        float[] b = random(rng, OUT, 1);
        float[] r = random(rng, ROWS * OUT, 1);
        float[] out = new float[ROWS * OUT];
        java.util.function.DoubleSupplier loss = () -> {
            Dense.forward(out, x, w, b, ROWS, IN, OUT);
            return dot(out, r);
        };
        float[] dx = new float[x.length];
        float[] dw = new float[w.length];
        float[] db = new float[b.length];
        Dense.backward(dx, dw, db, r, x, w, ROWS, IN, OUT);
        assertGradientClose("dIn", dx, numericGradient(x, loss, 1e-2f), 1e-3);
        assertGradientClose("dWeight", dw, numericGradient(w, loss, 1e-2f), 1e-3);
        assertGradientClose("dBias", db, numericGradient(b, loss, 1e-2f), 1e-3);
    }

    @Test
    void backwardAccumulatesIntoExistingGradients() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = random(rng, ROWS * IN, 1);
        float[] w = random(rng, OUT * IN, 1);
        float[] r = random(rng, ROWS * OUT, 1);
        float[] once = new float[w.length];
        Dense.backward(null, once, null, r, x, w, ROWS, IN, OUT);
        float[] twice = once.clone();
        Dense.backward(null, twice, null, r, x, w, ROWS, IN, OUT);
        for (int i = 0; i < once.length; i++) {
            assertEquals(2 * once[i], twice[i], 1e-5);
        }
    }
}
