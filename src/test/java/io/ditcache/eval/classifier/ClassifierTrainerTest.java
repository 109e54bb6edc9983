package io.ditcache.eval.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.data.Dataset;
import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTrainerTest {
    /** A toy 10-class set: a noisy bright 8x8 square whose position gives the class, on a -1 background. */
    private static Dataset squares(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor images = Tensor.zeros(n, 1, 32, 32);
        int[] labels = new int[n];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            names.add("square " + c);
        }
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(10);
            labels[i] = label;
            int y0 = 4 + (label / 5) * 12;
            int x0 = 1 + (label % 5) * 6;
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    boolean in = y >= y0 && y < y0 + 8 && x >= x0 && x < x0 + 8;
                    images.set((float) ((in ? 0.8 : -1.0) + 0.2 * rng.nextGaussian()), i, 0, y, x);
                }
            }
        }
        return new Dataset("squares", images, labels, names);
    }

    private static ClassifierTrainer.Options tiny(Path out, boolean resume) {
        return new ClassifierTrainer.Options(2, 16, 1e-2, 1e-4, 5, 7, 2, 4, 8, 0, out, resume);
    }

    @Test
    void learnsToySetAndWritesWeightsAndCard(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("c.safetensors");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ClassifierTrainer.Result r = ClassifierTrainer.train(squares(320, 1), squares(100, 2), tiny(out, false),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(r.testAccuracy() >= 0.9, "toy accuracy " + r.testAccuracy() + "\n" + log);
        StateDict saved = SafeTensors.read(out);
        assertEquals(String.format(java.util.Locale.ROOT, "%.4f", r.testAccuracy()), saved.metadata().get("test_accuracy"));
        assertTrue(saved.metadata().get("architecture").startsWith("conv3x3(1->2"));
        String card = Files.readString(dir.resolve("c.json"));
        assertTrue(card.contains("\"test_accuracy\"") && card.contains("\"hardware\""), card);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("epoch 2/2"), log.toString(StandardCharsets.UTF_8));
        Tensor images = squares(5, 3).images();
        assertArrayEquals(r.model().forward(images).logits().data(),
                new FashionClassifier(saved).forward(images).logits().data(), 0f);
    }

    @Test
    void resumingFromTheEpochCheckpointGivesTheSameWeights(@TempDir Path dir) throws IOException {
        Dataset train = squares(96, 4);
        Dataset test = squares(20, 5);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Path straight = dir.resolve("straight.safetensors");
        ClassifierTrainer.train(train, test, tiny(straight, false), quiet);

        Path interrupted = dir.resolve("resumed.safetensors");
        assertNull(ClassifierTrainer.train(train, test, tiny(interrupted, false), quiet, 1));
        assertEquals("1", SafeTensors.read(dir.resolve("resumed.safetensors.ckpt.safetensors")).metadata().get("epochs_done"));
        ClassifierTrainer.train(train, test, tiny(interrupted, true), quiet);

        StateDict a = SafeTensors.read(straight);
        StateDict b = SafeTensors.read(interrupted);
        for (String name : FashionClassifier.PARAMETERS) {
            assertArrayEquals(a.get(name).data(), b.get(name).data(), 0f, name);
        }
    }

    @Test
    void learningRateWarmsUpThenDecaysToZero() {
        ClassifierTrainer.Options o = tiny(Path.of("x"), false);
        assertEquals(o.learningRate() / 5, ClassifierTrainer.learningRate(o, 0, 100), 1e-12);
        assertEquals(o.learningRate(), ClassifierTrainer.learningRate(o, 5, 100), 1e-12);
        assertEquals(o.learningRate() / 2, ClassifierTrainer.learningRate(o, 52, 100),
                o.learningRate() * 0.02);
        assertEquals(0, ClassifierTrainer.learningRate(o, 100, 100), 1e-12);
    }
}
