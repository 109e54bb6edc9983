package io.ditcache.eval.classifier;

import io.ditcache.data.Dataset;
import io.ditcache.data.FashionMnist;
import io.ditcache.io.DType;
import io.ditcache.io.Json;
import io.ditcache.io.SafeTensors;
import io.ditcache.io.WeightsFiles;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import io.ditcache.train.AdamW;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Trains the {@link FashionClassifier} on the Fashion-MNIST training set: AdamW, linear warm-up then cosine decay,
 * a seeded shuffle per epoch, progress lines, a resumable checkpoint after every epoch ({@code FILE.ckpt.safetensors}),
 * and at the end the test accuracy on the full test set, written with the weights (safetensors metadata) and into a
 * model card ({@code FILE.json} next to {@code FILE.safetensors}).
 */
public final class ClassifierTrainer {
    private ClassifierTrainer() {
    }

    /** Training settings; {@link #defaults(Path)} are the ones the shipped weights were trained with. */
    public record Options(int epochs, int batchSize, double learningRate, double weightDecay, int warmupSteps,
                          long seed, int channels1, int channels2, int features, int trainLimit, Path out,
                          boolean resume) {
        public Options {
            if (epochs < 1 || batchSize < 1 || learningRate <= 0 || weightDecay < 0 || warmupSteps < 0
                    || channels1 < 1 || channels2 < 1 || features < 1 || trainLimit < 0) {
                throw new IllegalArgumentException("classifier training: bad options " + this);
            }
        }

        public static Options defaults(Path out) {
            return new Options(3, 64, 2e-3, 1e-4, 100, 0, 16, 32, 128, 0, out, false);
        }

        public Options withEpochs(int e) {
            return new Options(e, batchSize, learningRate, weightDecay, warmupSteps, seed, channels1, channels2, features,
                    trainLimit, out, resume);
        }

        /** Continue from {@link WeightsFiles#checkpointFor} of {@code out} when it exists. */
        public Options withResume(boolean r) {
            return new Options(epochs, batchSize, learningRate, weightDecay, warmupSteps, seed, channels1, channels2,
                    features, trainLimit, out, r);
        }
    }

    /** What training produced: the model, its accuracy on the whole test set, and the wall time of the run. */
    public record Result(FashionClassifier model, double testAccuracy, double trainSeconds) {
    }

    /** The model card: {@code FILE.json} for {@code FILE.safetensors}. */
    public static Path cardFor(Path out) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return out.resolveSibling(stem + ".json");
    }

    /**
     * Trains from scratch (or from {@link WeightsFiles#checkpointFor} when {@code resume}), then writes the weights to
     * {@code options.out()} and the model card next to them.
     */
    public static Result train(Dataset train, Dataset test, Options o, PrintStream log) throws IOException {
        return train(train, test, o, log, o.epochs());
    }

    /** As {@link #train(Dataset, Dataset, Options, PrintStream)}, but stops (returning null) once the checkpoint of
     * epoch {@code stopAfter} is written: how the tests simulate an interrupted run. */
    static Result train(Dataset train, Dataset test, Options o, PrintStream log, int stopAfter) throws IOException {
        long startNanos = System.nanoTime();
        int n = o.trainLimit() > 0 ? Math.min(o.trainLimit(), train.size()) : train.size();
        int stepsPerEpoch = (n + o.batchSize() - 1) / o.batchSize();
        long totalSteps = (long) stepsPerEpoch * o.epochs();
        FashionClassifier model = FashionClassifier.random(o.channels1(), o.channels2(), o.features(), o.seed());
        StateDict weights = model.stateDict();
        Map<String, AdamW> optimizers = new LinkedHashMap<>();
        for (String name : FashionClassifier.PARAMETERS) {
            // PyTorch practice: no weight decay on biases.
            optimizers.put(name, AdamW.withDefaults(weights.get(name).numel(), name.endsWith(".bias") ? 0 : o.weightDecay()));
        }
        Path checkpoint = WeightsFiles.checkpointFor(o.out());
        int firstEpoch = 0;
        double previousSeconds = 0;
        if (o.resume() && Files.exists(checkpoint)) {
            StateDict ck = SafeTensors.read(checkpoint);
            firstEpoch = restore(ck, weights, optimizers, checkpoint);
            previousSeconds = Double.parseDouble(ck.metadata().getOrDefault("train_seconds", "0"));
            log.printf(Locale.ROOT, "resuming from %s after epoch %d%n", checkpoint, firstEpoch);
        }
        log.printf(Locale.ROOT, "training %s%n  on %d images, %d epochs of %d steps (batch %d), %d threads%n",
                model.architecture(), n, o.epochs(), stepsPerEpoch, o.batchSize(), Parallel.threads());

        ClassifierActivations acts = new ClassifierActivations(model, o.batchSize());
        StateDict grads = model.zeroGradients();
        int per = FashionClassifier.IMAGE_SIZE * FashionClassifier.IMAGE_SIZE;
        for (int epoch = firstEpoch; epoch < o.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            int[] order = train.shuffledOrder(o.seed() * 1000 + epoch);
            double lossSum = 0;
            int seen = 0;
            int correct = 0;
            int reportEvery = Math.max(1, stepsPerEpoch / 10);
            for (int step = 0; step < stepsPerEpoch; step++) {
                int from = step * o.batchSize();
                int to = Math.min(n, from + o.batchSize());
                Dataset.Batch batch = train.gather(java.util.Arrays.copyOfRange(order, from, to));
                int b = batch.size();
                model.forward(batch.images().data(), b, acts);
                for (Tensor g : grads.tensors().values()) {
                    java.util.Arrays.fill(g.data(), 0f);
                }
                double loss = model.backward(batch.labels(), b, acts, grads);
                correct += countCorrect(acts.logits, batch.labels(), b);
                long globalStep = (long) epoch * stepsPerEpoch + step;
                double lr = learningRate(o, globalStep, totalSteps);
                for (Map.Entry<String, AdamW> e : optimizers.entrySet()) {
                    e.getValue().step(weights.get(e.getKey()).data(), grads.get(e.getKey()).data(), lr);
                }
                lossSum += loss * b;
                seen += b;
                if ((step + 1) % reportEvery == 0 || step + 1 == stepsPerEpoch) {
                    double secs = (System.nanoTime() - epochStart) / 1e9;
                    double eta = secs / (step + 1) * (stepsPerEpoch - step - 1)
                            + secs / (step + 1) * stepsPerEpoch * (o.epochs() - epoch - 1);
                    log.printf(Locale.ROOT, "epoch %d/%d step %d/%d  loss %.4f  train acc %.4f  lr %.2e  %.0f img/s  eta %s%n",
                            epoch + 1, o.epochs(), step + 1, stepsPerEpoch, lossSum / seen, (double) correct / seen, lr,
                            seen / secs, duration(eta));
                }
            }
            double elapsed = previousSeconds + (System.nanoTime() - startNanos) / 1e9;
            int probe = Math.min(2000, test.size());
            Dataset.Batch head = test.head(probe);
            log.printf(Locale.ROOT, "epoch %d done in %s: test accuracy on the first %d images %.4f%n", epoch + 1,
                    duration((System.nanoTime() - epochStart) / 1e9), probe, model.accuracy(head.images(), head.labels()));
            writeCheckpoint(checkpoint, weights, optimizers, epoch + 1, elapsed);
            if (epoch + 1 == stopAfter && stopAfter < o.epochs()) {
                return null;
            }
        }
        double trainSeconds = previousSeconds + (System.nanoTime() - startNanos) / 1e9;
        double accuracy = model.accuracy(test.images(), test.labels());
        log.printf(Locale.ROOT, "test accuracy (%d images): %.4f; training took %s%n", test.size(), accuracy,
                duration(trainSeconds));
        Map<String, String> card = card(model, o, n, accuracy, trainSeconds);
        weights.metadata().putAll(card);
        SafeTensors.write(o.out(), weights, DType.F32);
        Json.write(cardFor(o.out()), card);
        log.printf(Locale.ROOT, "wrote %s and %s%n", o.out(), cardFor(o.out()));
        return new Result(model, accuracy, trainSeconds);
    }

    /** Linear warm-up over {@code warmupSteps}, then cosine decay to zero at the last step. */
    static double learningRate(Options o, long step, long totalSteps) {
        if (step < o.warmupSteps()) {
            return o.learningRate() * (step + 1) / o.warmupSteps();
        }
        double progress = (double) (step - o.warmupSteps()) / Math.max(1, totalSteps - o.warmupSteps());
        return o.learningRate() * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
    }

    private static int countCorrect(float[] logits, int[] labels, int n) {
        int[] pred = FashionClassifier.argmax(Tensor.of(java.util.Arrays.copyOf(logits, n * FashionClassifier.CLASSES),
                n, FashionClassifier.CLASSES));
        int right = 0;
        for (int i = 0; i < n; i++) {
            right += pred[i] == labels[i] ? 1 : 0;
        }
        return right;
    }

    private static void writeCheckpoint(Path file, StateDict weights, Map<String, AdamW> optimizers, int epochsDone,
                                        double seconds) throws IOException {
        StateDict ck = new StateDict();
        for (String name : FashionClassifier.PARAMETERS) {
            Tensor w = weights.get(name);
            AdamW opt = optimizers.get(name);
            ck.put(name, w);
            ck.put("adamw.m." + name, Tensor.of(opt.firstMoment(), w.shape()));
            ck.put("adamw.v." + name, Tensor.of(opt.secondMoment(), w.shape()));
        }
        ck.metadata().put("epochs_done", Integer.toString(epochsDone));
        ck.metadata().put("adamw_steps", Long.toString(optimizers.get(FashionClassifier.PARAMETERS[0]).steps()));
        ck.metadata().put("train_seconds", String.format(Locale.ROOT, "%.1f", seconds));
        SafeTensors.write(file, ck, DType.F32);
    }

    /** Loads weights and optimizer state from a checkpoint; returns the number of epochs it completed. */
    private static int restore(StateDict ck, StateDict weights, Map<String, AdamW> optimizers, Path file) {
        for (String name : FashionClassifier.PARAMETERS) {
            int[] shape = weights.get(name).shape();
            float[] w = weights.get(name).data();
            float[] saved;
            try {
                saved = ck.get(name, shape).data();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("checkpoint " + file + " does not fit these options: " + e.getMessage(), e);
            }
            System.arraycopy(saved, 0, w, 0, w.length);
            optimizers.get(name).restore(ck.get("adamw.m." + name, shape).data(), ck.get("adamw.v." + name, shape).data(),
                    Long.parseLong(ck.metadata().get("adamw_steps")));
        }
        return Integer.parseInt(ck.metadata().get("epochs_done"));
    }

    /** Provenance: what produced these weights and how good they are. */
    private static Map<String, String> card(FashionClassifier model, Options o, int trainImages, double accuracy,
                                            double seconds) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", "fashion-mnist classifier for the classifier-feature FID and class consistency");
        m.put("architecture", model.architecture());
        m.put("input", "[N, 1, 32, 32] in [-1, 1]: 28x28 Fashion-MNIST padded with -1 by 2 pixels");
        m.put("layout", "PyTorch weight layouts; activations channels-last, fc1 input flattened in (h, w, c) order");
        m.put("features", Integer.toString(model.featureSize()));
        m.put("parameters", Long.toString(model.stateDict().parameterCount()));
        m.put("data", "Fashion-MNIST train (" + trainImages + " images), Debian dataset-fashion-mnist");
        m.put("epochs", Integer.toString(o.epochs()));
        m.put("batch_size", Integer.toString(o.batchSize()));
        m.put("optimizer", String.format(Locale.ROOT, "AdamW lr %.1e, weight decay %.1e (not on biases), %d warm-up steps,"
                + " cosine decay", o.learningRate(), o.weightDecay(), o.warmupSteps()));
        m.put("seed", Long.toString(o.seed()));
        m.put("train_seconds", String.format(Locale.ROOT, "%.1f", seconds));
        m.put("test_accuracy", String.format(Locale.ROOT, "%.4f", accuracy));
        m.put("test_images", "10000");
        m.put("hardware", hardware());
        return m;
    }

    /** "N processors, T threads, CPU model" for the model card. */
    static String hardware() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: keep "unknown CPU"
        }
        return Runtime.getRuntime().availableProcessors() + " processors (nproc), " + Parallel.threads()
                + " threads, " + cpu + ", Java " + System.getProperty("java.version");
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
    }
}
