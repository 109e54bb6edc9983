package io.ditcache.train;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ditcache.data.Dataset;
import io.ditcache.data.FashionMnist;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.DiTInitializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * A tiny pixel DiT (3 blocks, 6 cache units, 16 tokens of 8x8 patches) trained here for a few seconds on Fashion-MNIST, shared by
 * the router-training tests of one JVM; the tests are skipped where Debian's dataset is not installed.
 */
final class TinyRouterSetup {
    static final DiTConfig CONFIG = new DiTConfig("tiny-fmnist", 3, 32, 4, 8, 1, 32, 10, false, 4);
    private static Dataset data;
    private static DiT model;

    private TinyRouterSetup() {
    }

    static synchronized Dataset fashionMnist() {
        assumeTrue(Files.isRegularFile(FashionMnist.DEFAULT_DIR.resolve(FashionMnist.Split.TRAIN.imagesFile())),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        if (data == null) {
            try {
                data = new FashionMnist().train();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return data;
    }

    /** The tiny model after 200 AdamW steps of epsilon-MSE at batch 16 (trained once per JVM). */
    static synchronized DiT model() {
        Dataset d = fashionMnist();
        if (model == null) {
            DiT m = DiTInitializer.initialize(CONFIG, 1);
            DiffusionTrainer t = new DiffusionTrainer(m, d,
                    new DiffusionTrainer.Settings(16, 3e-3, 20, 0.0, 0.5, 0.1, 1, 1000));
            try {
                t.train(200, null, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            model = m;
        }
        return model;
    }

    static TrainingImages images() {
        return TrainingImages.of(fashionMnist());
    }
}
