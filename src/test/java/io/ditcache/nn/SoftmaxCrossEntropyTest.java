package io.ditcache.nn;

import static io.ditcache.nn.CnnGradCheck.assertGradientClose;
import static io.ditcache.nn.CnnGradCheck.numericGradient;
import static io.ditcache.nn.CnnGradCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxCrossEntropyTest {
    @Test
    void matchesTheDefinition() {
        float[] logits = {1f, 2f, 3f, 0f, 0f, 0f};
        int[] labels = {2, 1};
        float[] probs = new float[6];
        double loss = SoftmaxCrossEntropy.forward(probs, logits, labels, 2, 3);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double expected = (-Math.log(Math.exp(3) / z) - Math.log(1.0 / 3)) / 2;
        assertEquals(expected, loss, 1e-6);
        assertEquals(Math.exp(1) / z, probs[0], 1e-6);
        assertEquals(1.0 / 3, probs[4], 1e-6);
    }

    @Test
    void staysFiniteForHugeLogits() {
        float[] probs = new float[2];
        double loss = SoftmaxCrossEntropy.forward(probs, new float[] {1000f, -1000f}, new int[] {1}, 1, 2);
        assertEquals(2000.0, loss, 1e-3);
        assertTrue(Float.isFinite(probs[0]) && Float.isFinite(probs[1]));
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        int rows = 4;
        int classes = 5;
        float[] logits = random(new SplittableRandom(8), rows * classes, 2);
        int[] labels = {0, 4, 2, 2};
        float[] probs = new float[logits.length];
        java.util.function.DoubleSupplier loss = () -> SoftmaxCrossEntropy.forward(probs, logits, labels, rows, classes);
        loss.getAsDouble();
        float[] d = new float[logits.length];
        SoftmaxCrossEntropy.backward(d, probs, labels, rows, classes);
        assertGradientClose("dLogits", d, numericGradient(logits, loss, 1e-2f), 1e-4);
    }

    @Test
    void rejectsLabelsOutOfRange() {
        assertThrows(IllegalArgumentException.class,
                () -> SoftmaxCrossEntropy.forward(new float[2], new float[2], new int[] {2}, 1, 2));
    }
}
