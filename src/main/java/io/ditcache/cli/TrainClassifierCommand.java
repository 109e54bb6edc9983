package io.ditcache.cli;

import io.ditcache.data.FashionMnist;
import io.ditcache.eval.classifier.ClassifierTrainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ditcache train-classifier}: retrains the Fashion-MNIST classifier behind the quality metrics. */
@Command(name = "train-classifier", mixinStandardHelpOptions = true,
        description = {"Train the Fashion-MNIST classifier behind the quality metrics.",
                "Trains the small CNN whose predictions give class consistency and whose penultimate features give "
                        + "FID (Fashion-MNIST classifier features). Checkpoints to OUT.ckpt.safetensors after every "
                        + "epoch, as train-model and train-router do; --resume continues it. Writes the weights "
                        + "(safetensors) and a model card (OUT-stem.json)."})
final class TrainClassifierCommand implements Callable<Integer> {
    private static final ClassifierTrainer.Options DEFAULTS = ClassifierTrainer.Options.defaults(Path.of("x"));

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output weights (.safetensors).")
    Path out;

    @Option(names = "--epochs", description = "Epochs (default 3).")
    Integer epochs;

    @Option(names = "--batch", description = "Batch size (default 64).")
    Integer batch;

    @Option(names = "--lr", description = "Peak AdamW learning rate (default 2e-3, cosine decay after warm-up).")
    Double lr;

    @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--limit", defaultValue = "0", description = "Use only the first N training images (0 = all).")
    int limit;

    @Option(names = "--channels", split = ",", paramLabel = "C1,C2", description = "Conv channels (default 16,32).")
    int[] channels;

    @Option(names = "--features", description = "Penultimate feature size (default 128).")
    Integer features;

    @Option(names = "--data-dir", description = "Directory of the Fashion-MNIST IDX files.")
    Path dataDir;

    @Option(names = "--resume", description = "Continue from OUT.ckpt.safetensors.")
    boolean resume;

    @Mixin
    ThreadOptions threads = new ThreadOptions();

    @Override
    public Integer call() throws Exception {
        if (channels != null && channels.length != 2) {
            throw new IllegalArgumentException("--channels takes C1,C2");
        }
        Preflight.outputFile("--out", out);
        Preflight.checkpoint(out, resume);
        threads.apply();
        ClassifierTrainer.Options o = new ClassifierTrainer.Options(
                epochs == null ? DEFAULTS.epochs() : epochs, batch == null ? DEFAULTS.batchSize() : batch,
                lr == null ? DEFAULTS.learningRate() : lr, DEFAULTS.weightDecay(), DEFAULTS.warmupSteps(), seed,
                channels == null ? DEFAULTS.channels1() : channels[0], channels == null ? DEFAULTS.channels2() : channels[1],
                features == null ? DEFAULTS.features() : features, limit, out, resume);
        FashionMnist data = dataDir == null ? new FashionMnist() : new FashionMnist(dataDir);
        ClassifierTrainer.train(data.train(), data.test(), o, System.out);
        return 0;
    }
}
