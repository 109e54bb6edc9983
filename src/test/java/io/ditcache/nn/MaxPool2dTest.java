package io.ditcache.nn;

import static io.ditcache.nn.CnnGradCheck.assertGradientClose;
import static io.ditcache.nn.CnnGradCheck.dot;
import static io.ditcache.nn.CnnGradCheck.numericGradient;
import static io.ditcache.nn.CnnGradCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaxPool2dTest {
    @Test
    void poolsEachWindowPerChannel() {
        // One image 2x4, 2 channels (channels-last): channel 0 holds 0..7, channel 1 holds 7..0.
        float[] in = new float[2 * 4 * 2];
        for (int p = 0; p < 8; p++) {
            in[2 * p] = p;
            in[2 * p + 1] = 7 - p;
        }
        float[] out = new float[2 * 2];
        int[] argmax = new int[out.length];
        MaxPool2d.forward(out, argmax, in, 1, 2, 4, 2);
        // Windows: pixels {0,1,4,5} and {2,3,6,7}.
        assertArrayEquals(new float[] {5, 7, 7, 5}, out, 0f);
        assertArrayEquals(new int[] {10, 1, 14, 5}, argmax);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        int batch = 2;
        int h = 4;
        int w = 6;
        int c = 3;
        int n = batch * h * w * c;
        // Distinct values 0.1 apart, so a step of 1e-2 never changes which element is the maximum.
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(0.1f * i - 3f);
        }
        Collections.shuffle(values, new Random(5));
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = values.get(i);
        }
        float[] r = random(new SplittableRandom(6), n / 4, 1);
        float[] out = new float[n / 4];
        int[] argmax = new int[n / 4];
        java.util.function.DoubleSupplier loss = () -> {
            MaxPool2d.forward(out, argmax, x, batch, h, w, c);
            return dot(out, r);
        };
        loss.getAsDouble();
        float[] dx = new float[n];
        MaxPool2d.backward(dx, r, argmax, out.length);
        assertGradientClose("dIn", dx, numericGradient(x, loss, 1e-2f), 1e-3);
    }

    @Test
    void rejectsOddSizes() {
        assertThrows(IllegalArgumentException.class,
                () -> MaxPool2d.forward(new float[4], new int[4], new float[12], 1, 3, 4, 1));
    }
}
