package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.data.Dataset;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.DiTInitializer;
import io.ditcache.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffusionTrainerTest {
    static final DiTConfig TINY = new DiTConfig("tiny-pixel", 2, 32, 4, 4, 1, 8, 3, false, 2);

    /** Three classes of 8x8 images: a bright row band, a bright column band, a bright centre. */
    static Dataset shapes(int n) {
        Tensor images = Tensor.zeros(n, 1, 8, 8);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    boolean on = switch (labels[i]) {
                        case 0 -> r == 2 + i % 4;
                        case 1 -> c == 2 + i % 4;
                        default -> r >= 3 && r <= 4 && c >= 3 && c <= 4;
                    };
                    images.set(on ? 1f : -1f, i, 0, r, c);
                }
            }
        }
        return new Dataset("shapes", images, labels, List.of("row", "column", "centre"));
    }

    static DiffusionTrainer.Settings settings(int checkpointEvery) {
        return new DiffusionTrainer.Settings(12, 3e-3, 5, 0.0, 0.9, 0.1, 7, checkpointEvery);
    }

    @Test
    void lossFallsOnSimpleData() throws Exception {
        DiT model = DiTInitializer.initialize(TINY, 1);
        DiffusionTrainer trainer = new DiffusionTrainer(model, shapes(48), settings(1000));
        List<Double> losses = new ArrayList<>();
        trainer.train(150, null, (it, total, loss) -> losses.add(loss));
        double first = losses.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(130, 150).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(first > 0.5, "an untrained model predicts epsilon poorly: " + first);
        assertTrue(last < 0.75 * first, "loss did not fall: first " + first + " last " + last);
    }

    @Test
    void resumeContinuesBitForBit(@TempDir Path dir) throws Exception {
        Dataset data = shapes(24);
        DiT straight = DiTInitializer.initialize(TINY, 2);
        new DiffusionTrainer(straight, data, settings(3)).train(6, null, null);

        DiT first = DiTInitializer.initialize(TINY, 2);
        Path ck = dir.resolve("ck.safetensors");
        new DiffusionTrainer(first, data, settings(3)).train(3, ck, null);
        DiT resumed = DiTInitializer.initialize(TINY, 99);
        DiffusionTrainer again = new DiffusionTrainer(resumed, data, settings(3));
        again.resume(ck);
        assertEquals(3, again.iteration());
        again.train(6, null, null);
        for (String k : straight.stateDict().keys()) {
            assertArrayEquals(straight.stateDict().get(k).data(), resumed.stateDict().get(k).data(), 0f, k);
        }
        DiffusionTrainer other = new DiffusionTrainer(DiTInitializer.initialize(TINY, 2), data,
                new DiffusionTrainer.Settings(12, 1e-3, 5, 0.0, 0.9, 0.1, 7, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.resume(ck));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    /** Stops a run at an iteration, after its loss row but before its checkpoint: what a kill there leaves. */
    static final class Killed extends RuntimeException {
    }

    @Test
    void theLossCurveOfAKilledAndResumedRunEqualsTheUninterruptedOne(@TempDir Path dir) throws Exception {
        Dataset data = shapes(24);
        Path straightCsv = dir.resolve("straight.loss.csv");
        DiffusionTrainer straight = new DiffusionTrainer(DiTInitializer.initialize(TINY, 2), data, settings(3));
        straight.logLossTo(straightCsv, 4);
        straight.train(12, null, null);
        String expected = Files.readString(straightCsv);
        assertTrue(expected.startsWith("iteration,loss\n"), expected);
        assertEquals(List.of("iteration", "4", "8", "12"), expected.lines().map(l -> l.split(",")[0]).toList());

        // Checkpoints every 3, rows every 4: killed at iteration 8, after its row, before any later checkpoint. The
        // last checkpoint (6) holds the open window of iterations 5 and 6; the file has a row (8) past it.
        Path csv = dir.resolve("killed.loss.csv");
        Path ck = dir.resolve("killed.ckpt.safetensors");
        DiffusionTrainer first = new DiffusionTrainer(DiTInitializer.initialize(TINY, 2), data, settings(3));
        first.logLossTo(csv, 4);
        assertThrows(Killed.class, () -> first.train(12, ck, (it, total, loss) -> {
            if (it == 8) {
                throw new Killed();
            }
        }));
        Files.writeString(csv, "9,0.5\n1", java.nio.file.StandardOpenOption.APPEND); // and a torn line
        DiffusionTrainer resumed = new DiffusionTrainer(DiTInitializer.initialize(TINY, 99), data, settings(3));
        resumed.resume(ck);
        assertEquals(6, resumed.iteration());
        resumed.logLossTo(csv, 4);
        assertEquals(List.of("iteration", "4"), Files.readString(csv).lines().map(l -> l.split(",")[0]).toList(),
                "cut back to the checkpoint's iteration");
        resumed.train(12, ck, null);
        assertEquals(expected, Files.readString(csv));
    }

    @Test
    void aSettingsMismatchOnResumeNamesTheSetting(@TempDir Path dir) throws Exception {
        Dataset data = shapes(24);
        Path ck = dir.resolve("ck.safetensors");
        new DiffusionTrainer(DiTInitializer.initialize(TINY, 2), data, settings(3)).train(3, ck, null);
        DiffusionTrainer otherLr = new DiffusionTrainer(DiTInitializer.initialize(TINY, 2), data,
                new DiffusionTrainer.Settings(12, 1e-3, 5, 0.0, 0.9, 0.1, 8, 3));
        DiffusionTrainer.SettingsMismatchException e = assertThrows(DiffusionTrainer.SettingsMismatchException.class,
                () -> otherLr.resume(ck));
        assertEquals(List.of("lr", "seed"), List.copyOf(e.differences().keySet()));
        assertArrayEquals(new String[] {"0.003", "0.001"}, e.differences().get("lr"));
        // The checkpoint interval does not change the weights: it may differ.
        DiffusionTrainer otherInterval = new DiffusionTrainer(DiTInitializer.initialize(TINY, 2), data, settings(5));
        otherInterval.resume(ck);
        assertEquals(3, otherInterval.iteration());
    }

    @Test
    void initialisationIsAdaLnZero() {
        DiT model = DiTInitializer.initialize(TINY, 3);
        assertEquals(0f, model.stateDict().get("blocks.0.adaLN_modulation.1.weight").maxAbs());
        assertEquals(0f, model.stateDict().get("final_layer.linear.weight").maxAbs());
        assertTrue(model.stateDict().get("blocks.0.attn.qkv.weight").maxAbs() > 0);
        Tensor x = Tensor.zeros(1, 1, 8, 8);
        assertEquals(0f, model.forward(x, new float[]{3}, new int[]{1}).maxAbs(), "adaLN-Zero: the model starts at zero output");
    }

    @Test
    void cosineScheduleWarmsUpThenAnnealsToZero() {
        DiffusionTrainer.Settings s = new DiffusionTrainer.Settings(12, 1e-3, 10, 110, 0.0, 0.9, 0.1, 7, 50);
        assertEquals(1e-4, s.learningRate(0), 1e-15);
        assertEquals(1e-3, s.learningRate(9), 1e-15);
        assertEquals(1e-3, s.learningRate(10), 1e-15);
        assertEquals(0.5e-3, s.learningRate(60), 1e-15);
        assertEquals(0.0, s.learningRate(110), 1e-15);
        assertEquals(0.0, s.learningRate(500), 1e-15);
        for (int i = 10; i < 110; i++) {
            assertTrue(s.learningRate(i + 1) < s.learningRate(i), "not decreasing at " + i);
        }
        DiffusionTrainer.Settings constant = settings(50);
        assertEquals(3e-3, constant.learningRate(5), 0);
        assertEquals(3e-3, constant.learningRate(100_000), 0);
        assertThrows(IllegalArgumentException.class,
                () -> new DiffusionTrainer.Settings(12, 1e-3, 10, 10, 0.0, 0.9, 0.1, 7, 50));
    }
}
