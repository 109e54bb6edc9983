package io.ditcache.cli;

import static io.ditcache.cli.CommandLineTest.run;
import static io.ditcache.cli.CommandLineTest.tinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.Provenance;
import io.ditcache.cli.CommandLineTest.Result;
import io.ditcache.data.Dataset;
import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.DiTInitializer;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import io.ditcache.train.DiffusionTrainer;
import io.ditcache.train.TrainingCheckpoints;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ditcache info} on a training checkpoint prints its kind, iteration, provenance and metadata. */
class CheckpointInfoTest {
    @TempDir
    Path dir;

    @Test
    void infoOnARouterTrainingCheckpointPrintsWhatWroteIt() throws Exception {
        Path out = dir.resolve("r.safetensors");
        Result trained = run("train-router", "--method", "harmonica", "--model", tinyModel(dir).toString(), "--steps",
                "4", "--iters", "4", "--checkpoint-every", "0", "--threads", "1", "--out", out.toString());
        assertEquals(0, trained.code(), trained.err());
        Path ckpt = dir.resolve("r.safetensors.ckpt.safetensors");
        for (String option : new String[] {"--router", "--model"}) {
            Result info = run("info", option, ckpt.toString());
            assertEquals(0, info.code(), info.err());
            assertTrue(info.out().startsWith("checkpoint       " + ckpt + ": router training, iteration 4 (train-router"
                    + " --resume continues it)\n"), info.out());
            assertTrue(info.out().contains("written by       " + Provenance.current(1).summary() + "\n"), info.out());
            assertTrue(info.out().contains("  provenance.java_version = " + System.getProperty("java.version") + "\n"),
                    info.out());
            assertTrue(info.out().contains("  setting.method = harmonica\n"), info.out());
        }
    }

    @Test
    void infoOnAModelTrainingCheckpointPrintsWhatWroteItAndFoldsTheStepCounts() throws Exception {
        DiTConfig c = new DiTConfig("tiny-pixel", 2, 32, 4, 4, 1, 8, 3, false, 2);
        Dataset data = new Dataset("zeros", Tensor.zeros(4, 1, 8, 8), new int[] {0, 1, 2, 0}, List.of("a", "b", "c"));
        DiffusionTrainer trainer = new DiffusionTrainer(DiTInitializer.initialize(c, 1), data,
                new DiffusionTrainer.Settings(2, 1e-3, 1, 0.0, 0.9, 0.1, 7, 1));
        Path ckpt = dir.resolve("m.safetensors.ckpt.safetensors");
        trainer.train(2, ckpt, null);
        Result info = run("info", "--model", ckpt.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().startsWith("checkpoint       " + ckpt + ": model training, iteration 2"), info.out());
        assertTrue(info.out().contains("written by       " + Provenance.current().summary() + "\n"), info.out());
        assertTrue(info.out().contains("  format = " + TrainingCheckpoints.MODEL_FORMAT + "\n"), info.out());
        assertTrue(info.out().contains("  settings = Settings[batch=2, "), info.out());
        long weights = SafeTensors.readMetadata(ckpt).keySet().stream()
                .filter(k -> k.startsWith(DiffusionTrainer.ADAM_STEPS_PREFIX)).count();
        assertTrue(weights > 10, "one step count per trained weight: " + weights);
        assertTrue(info.out().contains("  adam_steps.* (" + weights + " entries: each weight's AdamW step count)\n"),
                info.out());

        // A checkpoint of an earlier ditcache: no format and no provenance, told by its settings.
        StateDict sd = SafeTensors.read(ckpt);
        sd.metadata().keySet().removeIf(k -> k.equals(TrainingCheckpoints.FORMAT_KEY)
                || k.startsWith(TrainingCheckpoints.PROVENANCE_PREFIX));
        Path older = dir.resolve("older.ckpt.safetensors");
        SafeTensors.write(older, sd, DType.F32);
        Result old = run("info", "--model", older.toString());
        assertEquals(0, old.code(), old.err());
        assertTrue(old.out().contains("model training, iteration 2"), old.out());
        assertTrue(old.out().contains("written by       (not recorded"), old.out());
    }
}
