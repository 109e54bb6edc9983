package io.ditcache.eval.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionClassifierTest {
    private static Tensor randomImages(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] d = new float[n * 32 * 32];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return Tensor.of(d, n, 1, 32, 32);
    }

    /** Tensors of tools/reference/make_classifier_fixture.py: "name d0,d1,... values...", one per line. */
    private static Map<String, Tensor> readFixture() throws IOException {
        Map<String, Tensor> out = new HashMap<>();
        try (InputStream in = FashionClassifierTest.class.getResourceAsStream("/reference/classifier/tiny_forward.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                String[] parts = line.trim().split(" ");
                String[] dims = parts[1].split(",");
                int[] shape = new int[dims.length];
                for (int i = 0; i < dims.length; i++) {
                    shape[i] = Integer.parseInt(dims[i]);
                }
                float[] values = new float[parts.length - 2];
                for (int i = 0; i < values.length; i++) {
                    values[i] = Float.parseFloat(parts[i + 2]);
                }
                out.put(parts[0], Tensor.of(values, shape));
            }
        }
        return out;
    }

    @Test
    void forwardMatchesPyTorch() throws IOException {
        Map<String, Tensor> fx = readFixture();
        StateDict w = new StateDict();
        for (String name : FashionClassifier.PARAMETERS) {
            w.put(name, fx.get(name));
        }
        FashionClassifier model = new FashionClassifier(w);
        FashionClassifier.Output out = model.forward(fx.get("images"));
        assertArrayEquals(fx.get("logits").shape(), out.logits().shape());
        assertArrayEquals(fx.get("logits").data(), out.logits().data(), 1e-4f);
        assertArrayEquals(fx.get("features").data(), out.features().data(), 1e-4f);
    }

    /**
     * Central differences on a sample of every weight tensor. ReLU and max pooling make the loss piecewise smooth, so a
     * probe only counts when the +eps and -eps passes took the same decisions (ReLU signs, pooling winners); then the
     * difference quotient is accurate to O(eps^2) and must match the backward pass.
     */
    @Test
    void gradientsOfTheWholeNetworkMatchFiniteDifferences() {
        FashionClassifier model = FashionClassifier.random(2, 3, 5, 42);
        int n = 2;
        // Background -1 as in Fashion-MNIST, random pixels in a 6x6 block: few units sit near a ReLU kink.
        Tensor images = Tensor.zeros(n, 1, 32, 32);
        java.util.Arrays.fill(images.data(), -1f);
        SplittableRandom pixels = new SplittableRandom(43);
        for (int b = 0; b < n; b++) {
            for (int y = 13; y < 19; y++) {
                for (int x = 13; x < 19; x++) {
                    images.set((float) (pixels.nextDouble() * 2 - 1), b, 0, y, x);
                }
            }
        }
        int[] labels = {1, 7};
        ClassifierActivations acts = new ClassifierActivations(model, n);
        StateDict grads = model.zeroGradients();
        model.forward(images.data(), n, acts);
        model.backward(labels, n, acts, grads);
        SplittableRandom pick = new SplittableRandom(44);
        float eps = 1e-3f;
        for (String name : FashionClassifier.PARAMETERS) {
            float[] p = model.stateDict().get(name).data();
            float[] g = grads.get(name).data();
            int checked = 0;
            for (int trial = 0; trial < 60 && checked < 5; trial++) {
                int i = pick.nextInt(p.length);
                float keep = p[i];
                p[i] = keep + eps;
                double plus = loss(model, images, labels, acts);
                String decisionsPlus = decisions(acts);
                p[i] = keep - eps;
                double minus = loss(model, images, labels, acts);
                String decisionsMinus = decisions(acts);
                p[i] = keep;
                if (!decisionsPlus.equals(decisionsMinus)) {
                    continue;
                }
                double numeric = (plus - minus) / (2 * eps);
                assertEquals(numeric, g[i], 1e-3 * (1 + Math.abs(numeric)), name + "[" + i + "]");
                checked++;
            }
            assertTrue(checked >= 3, name + ": only " + checked + " probes free of ReLU/pooling switches");
        }
    }

    /** The discrete choices of the last forward pass: pooling winners and ReLU signs. */
    private static String decisions(ClassifierActivations a) {
        StringBuilder b = new StringBuilder();
        b.append(java.util.Arrays.hashCode(a.argmax1)).append(',').append(java.util.Arrays.hashCode(a.argmax2));
        for (float[] post : new float[][] {a.conv1, a.conv2, a.hidden}) {
            java.util.BitSet positive = new java.util.BitSet(post.length);
            for (int i = 0; i < post.length; i++) {
                positive.set(i, post[i] > 0);
            }
            b.append(',').append(positive);
        }
        return b.toString();
    }

    private static double loss(FashionClassifier model, Tensor images, int[] labels, ClassifierActivations acts) {
        int n = labels.length;
        model.forward(images.data(), n, acts);
        return io.ditcache.nn.SoftmaxCrossEntropy.forward(acts.probs, acts.logits, labels, n, FashionClassifier.CLASSES);
    }

    @Test
    void chunkedInferenceAgreesWithOneImageAtATime() {
        FashionClassifier model = FashionClassifier.random(4, 6, 8, 5);
        int n = 130; // more than one chunk of 128
        Tensor images = randomImages(n, 6);
        FashionClassifier.Output all = model.forward(images);
        float[][] feats = model.features(images);
        int[] pred = model.predict(images);
        assertEquals(n, feats.length);
        for (int i : new int[] {0, 127, 128, 129}) {
            Tensor one = Tensor.of(java.util.Arrays.copyOfRange(images.data(), i * 1024, (i + 1) * 1024), 1, 1, 32, 32);
            FashionClassifier.Output single = model.forward(one);
            assertArrayEquals(single.features().data(), feats[i], 1e-6f);
            assertArrayEquals(single.logits().data(),
                    java.util.Arrays.copyOfRange(all.logits().data(), i * 10, (i + 1) * 10), 1e-6f);
            assertEquals(FashionClassifier.argmax(single.logits())[0], pred[i]);
        }
        for (float[] f : feats) {
            for (float v : f) {
                assertTrue(v >= 0, "features are post-ReLU");
            }
        }
    }

    @Test
    void weightsRoundTripThroughSafetensors(@TempDir Path dir) throws IOException {
        FashionClassifier model = FashionClassifier.random(3, 5, 7, 9);
        Path file = dir.resolve("c.safetensors");
        SafeTensors.write(file, model.stateDict(), DType.F32);
        FashionClassifier back = FashionClassifier.load(file);
        assertEquals(7, back.featureSize());
        Tensor images = randomImages(4, 10);
        assertArrayEquals(model.forward(images).logits().data(), back.forward(images).logits().data(), 0f);
    }

    @Test
    void rejectsWrongInputsAndWeights() {
        FashionClassifier model = FashionClassifier.random(2, 2, 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.predict(Tensor.zeros(2, 1, 28, 28)));
        assertTrue(e.getMessage().contains("[2, 1, 28, 28]"), e.getMessage());
        StateDict w = FashionClassifier.random(2, 2, 2, 1).stateDict();
        w.put("fc2.weight", Tensor.zeros(9, 2));
        e = assertThrows(IllegalArgumentException.class, () -> new FashionClassifier(w));
        assertTrue(e.getMessage().contains("fc2.weight"), e.getMessage());
    }
}
