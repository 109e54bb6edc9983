package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ditcache.Provenance;
import io.ditcache.data.Dataset;
import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTInitializer;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.StateDict;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both trainers' checkpoints record the provenance of the process that wrote them, and resume whatever it says:
 * provenance is informational, only the training settings must match.
 */
class CheckpointProvenanceTest {
    private static final int N = 6;
    private static final String PREFIX = TrainingCheckpoints.PROVENANCE_PREFIX;
    /** What another build on another machine would have recorded. */
    private static final Provenance ELSEWHERE = new Provenance("9.9.9", "feedface", "17.0.99", 7);

    @TempDir
    Path dir;

    /** The process's own values, as the keys the other ditcache files use. */
    static void assertWrittenHere(Map<String, String> metadata) {
        assertEquals(Provenance.current(), Provenance.fromMetadata(metadata, PREFIX), metadata.toString());
        assertEquals(System.getProperty("java.version"), metadata.get(PREFIX + Provenance.JAVA_KEY));
        assertEquals(Integer.toString(Parallel.threads()), metadata.get(PREFIX + Provenance.THREADS_KEY));
        assertEquals(Provenance.current().version(), metadata.get(PREFIX + Provenance.VERSION_KEY));
        assertEquals(Provenance.current().revision(), metadata.get(PREFIX + Provenance.REVISION_KEY));
    }

    /** Rewrites {@code checkpoint} as if {@code p} had written it (the tensors unchanged, they are float32). */
    static void restamp(Path checkpoint, Provenance p) throws Exception {
        StateDict sd = SafeTensors.read(checkpoint);
        sd.metadata().putAll(p.toMap(PREFIX));
        SafeTensors.write(checkpoint, sd, DType.F32);
        assertEquals(p, Provenance.fromMetadata(SafeTensors.readMetadata(checkpoint), PREFIX));
    }

    private static RouterTrainingConfig routerConfig(long iters) {
        return RouterTrainingConfig.defaults(RouterTrainingMethod.HARMONICA, N, iters).withBatch(2, 1).withLr(0.1)
                .withBeta(1e-4).withSeed(11).withCheckpointEvery(2);
    }

    @Test
    void aRouterCheckpointRecordsItsProvenanceAndResumesUnderAnother() throws Exception {
        DiT model = DiTInitializer.initialize(TinyRouterSetup.CONFIG, 1);
        RouterTrainer straight = new RouterTrainer(model, routerConfig(2L * N), null);
        straight.train(null, RouterTrainer.Listener.NONE);

        Path ckpt = dir.resolve("r.ckpt.safetensors");
        new RouterTrainer(model, routerConfig(N), null).train(ckpt, RouterTrainer.Listener.NONE);
        Map<String, String> written = SafeTensors.readMetadata(ckpt);
        assertWrittenHere(written);
        assertEquals(TrainingCheckpoints.Kind.ROUTER_TRAINING, TrainingCheckpoints.kind(written));

        restamp(ckpt, ELSEWHERE);
        RouterTrainer resumed = new RouterTrainer(model, routerConfig(2L * N), null);
        resumed.resumeFrom(ckpt);
        assertEquals(N, resumed.iteration());
        resumed.train(ckpt, RouterTrainer.Listener.NONE);
        for (int s = 0; s < N; s++) {
            assertArrayEquals(straight.router().row(s), resumed.router().row(s), "step " + s);
        }
        assertWrittenHere(SafeTensors.readMetadata(ckpt)); // the next checkpoint records the resuming process
    }

    @Test
    void aModelCheckpointRecordsItsProvenanceAndResumesUnderAnother() throws Exception {
        Dataset data = DiffusionTrainerTest.shapes(24);
        DiT straight = DiTInitializer.initialize(DiffusionTrainerTest.TINY, 2);
        new DiffusionTrainer(straight, data, DiffusionTrainerTest.settings(3)).train(6, null, null);

        Path ckpt = dir.resolve("m.ckpt.safetensors");
        DiT first = DiTInitializer.initialize(DiffusionTrainerTest.TINY, 2);
        new DiffusionTrainer(first, data, DiffusionTrainerTest.settings(3)).train(3, ckpt, null);
        Map<String, String> written = SafeTensors.readMetadata(ckpt);
        assertWrittenHere(written);
        assertEquals(TrainingCheckpoints.MODEL_FORMAT, written.get(TrainingCheckpoints.FORMAT_KEY));
        assertEquals(TrainingCheckpoints.Kind.MODEL_TRAINING, TrainingCheckpoints.kind(written));

        restamp(ckpt, ELSEWHERE);
        DiT resumed = DiTInitializer.initialize(DiffusionTrainerTest.TINY, 99);
        DiffusionTrainer again = new DiffusionTrainer(resumed, data, DiffusionTrainerTest.settings(3));
        again.resume(ckpt);
        assertEquals(3, again.iteration());
        again.train(6, null, null);
        for (String k : straight.stateDict().keys()) {
            assertArrayEquals(straight.stateDict().get(k).data(), resumed.stateDict().get(k).data(), 0f, k);
        }
    }

    @Test
    void aModelCheckpointOfAnEarlierVersionIsToldByItsSettings() {
        Map<String, String> older = Map.of("iteration", "250", "settings", DiffusionTrainerTest.settings(3).toString());
        assertEquals(TrainingCheckpoints.Kind.MODEL_TRAINING, TrainingCheckpoints.kind(older));
        assertNull(Provenance.fromMetadata(older, PREFIX), "it records no provenance");
        assertNull(TrainingCheckpoints.kind(Map.of("format", "ditcache-router")), "a router file is no checkpoint");
        assertNull(TrainingCheckpoints.kind(Map.of("ditcache.config.depth", "12")), "nor is a model");
    }
}
