package io.ditcache.cli;

import io.ditcache.Provenance;
import io.ditcache.data.Dataset;
import io.ditcache.data.FashionMnist;
import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.DiTInitializer;
import io.ditcache.tensor.StateDict;
import io.ditcache.train.DiffusionTrainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ditcache train-model}: trains a DiT on Fashion-MNIST from scratch (how the embedded default was made). */
@Command(name = "train-model", mixinStandardHelpOptions = true,
        description = {"Train a DiT on Fashion-MNIST (how the embedded model was made).",
                "Class-conditional pixel-space DiT: epsilon MSE, AdamW, EMA, label dropout 0.1. Checkpoints to "
                        + "OUT.ckpt.safetensors every --checkpoint-every iterations; --resume continues exactly. The EMA "
                        + "weights are written to OUT (safetensors) with the config and provenance in the metadata, and the "
                        + "loss curve to OUT.loss.csv (on --resume it is cut back to the checkpoint's iteration first, so it "
                        + "matches a run that never stopped). --checkpoint-every and --threads may change on --resume; the "
                        + "other settings may not."})
final class TrainModelCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "fashion-mnist", description = "Training data (only fashion-mnist). Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--data-dir", description = "Directory of the Fashion-MNIST IDX files (default: "
            + FashionMnist.DEFAULT_DIR_NAME + ").")
    Path dataDir;

    @Option(names = "--config", defaultValue = "DiT-FMNIST", description = "Model config: DiT-FMNIST (the embedded default). Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--iters", defaultValue = "6000", description = "Optimisation steps. Default: ${DEFAULT-VALUE}.")
    int iters;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", defaultValue = "5e-4", description = "AdamW learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--warmup", defaultValue = "200", description = "Linear learning-rate warm-up iterations. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--lr-schedule", defaultValue = "constant", description = "Learning rate after warm-up: constant, or"
            + " cosine (a half cosine from --lr down to 0 at --iters; anneals a short run). Resume with the same value."
            + " Default: ${DEFAULT-VALUE}.")
    String lrSchedule;

    @Option(names = "--ema", defaultValue = "0.999", description = "EMA decay (DiT uses 0.9999 for 400k steps; short runs need less). Default: ${DEFAULT-VALUE}.")
    double ema;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for initialisation, data order and noise. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "250", description = "Checkpoint interval in iterations. Default: ${DEFAULT-VALUE}.")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue from OUT.ckpt.safetensors.")
    boolean resume;

    @Option(names = "--init", paramLabel = "MODEL", description = "Start from these weights ('default' = the embedded"
            + " model, or a .safetensors/.pt file of the same config) instead of a fresh initialisation. The optimiser,"
            + " EMA and iteration count start fresh (the learning rate warms up again): continues a model whose"
            + " training checkpoint is gone.")
    String init;

    @Option(names = "--save", defaultValue = "ema", description = "Which weights to write: ema (the average) or final (the last"
            + " iterate; better for short runs, where the EMA still lags). Default: ${DEFAULT-VALUE}.")
    String save;

    @Option(names = "--half", description = "Store the written weights (see --save) as float16 (halves the file).")
    boolean half;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output weights (.safetensors).")
    Path out;

    @Option(names = "--loss-every", defaultValue = "50", paramLabel = "N", description = "Loss-curve rows (OUT.loss.csv):"
            + " the mean loss over every N iterations. Default: ${DEFAULT-VALUE}.")
    int lossEvery;

    @Mixin
    ThreadOptions threads = new ThreadOptions();

    @Override
    public Integer call() throws Exception {
        if (!save.equals("ema") && !save.equals("final")) {
            throw new IllegalArgumentException("--save must be ema or final, got " + save);
        }
        if (!lrSchedule.equals("constant") && !lrSchedule.equals("cosine")) {
            throw new IllegalArgumentException("--lr-schedule must be constant or cosine, got " + lrSchedule);
        }
        if (lrSchedule.equals("cosine") && iters <= warmup) {
            throw new IllegalArgumentException("--lr-schedule cosine needs --iters (" + iters + ") above --warmup (" + warmup + ")");
        }
        if (resume && init != null) {
            throw new IllegalArgumentException("--init and --resume exclude each other: --resume continues OUT.ckpt.safetensors");
        }
        if (!data.equals("fashion-mnist")) {
            throw new IllegalArgumentException("--data " + data + ": only fashion-mnist is supported");
        }
        if (!out.getFileName().toString().endsWith(".safetensors")) {
            throw new IllegalArgumentException("--out " + out + ": the weights are written as .safetensors");
        }
        if (lossEvery < 1) {
            throw new IllegalArgumentException("--loss-every must be >= 1, got " + lossEvery);
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every must be >= 1, got " + checkpointEvery);
        }
        Preflight.outputFile("--out", out);
        Path ckpt = Preflight.checkpoint(out, resume);
        threads.apply();
        DiTConfig c = DiTConfig.named(config);
        Dataset train = (dataDir == null ? new FashionMnist() : new FashionMnist(dataDir)).train();
        DiT model = init == null ? DiTInitializer.initialize(c, seed) : initialWeights(c);
        DiffusionTrainer.Settings s = new DiffusionTrainer.Settings(batch, lr, warmup,
                lrSchedule.equals("cosine") ? iters : 0, 0.0, ema, 0.1, seed, checkpointEvery);
        DiffusionTrainer trainer = new DiffusionTrainer(model, train, s);
        Path lossCsv = out.resolveSibling(out.getFileName() + ".loss.csv");
        if (resume) {
            try {
                trainer.resume(ckpt);
            } catch (DiffusionTrainer.SettingsMismatchException e) {
                throw new IllegalArgumentException("--resume: " + ckpt + " was written with " + flags(e.differences(), 0)
                        + ", this run has " + flags(e.differences(), 1) + "; resume with the checkpoint's values", e);
            }
            System.out.println("resumed at iteration " + trainer.iteration() + " from " + ckpt);
        }
        // On --resume: the curve's rows after the checkpoint's iteration (a killed run's) are dropped.
        trainer.logLossTo(lossCsv, lossEvery);
        long t0 = System.nanoTime();
        try (Progress bar = new Progress("train " + c.name(), iters, "it", trainer.iteration())) {
            trainer.train(iters, ckpt, (it, total, loss) -> bar.stepTo(it, String.format(Locale.ROOT, "loss %.4f", loss)));
        }
        double minutes = (System.nanoTime() - t0) / 6e10;
        StateDict weights = save.equals("ema") ? trainer.emaWeights() : trainer.finalWeights();
        weights.metadata().put("ditcache.provenance", String.format(Locale.ROOT,
                "train-model data=fashion-mnist(train, 60000) config=%s init=%s iters=%d batch=%d lr=%g warmup=%d ema=%g "
                        + "lr_schedule=%s label_dropout=0.1 seed=%d weights=%s wall_minutes_last_session=%.1f cores=%d",
                c.name(), init == null ? "fresh(seed)" : init, iters, batch, lr, warmup, ema, lrSchedule, seed, save, minutes, Runtime.getRuntime().availableProcessors()));
        weights.metadata().putAll(Provenance.current().toMap(Provenance.MODEL_PREFIX));
        SafeTensors.write(out, weights, half ? DType.F16 : DType.F32);
        System.out.printf(Locale.ROOT, "wrote " + save + " weights -> %s (%.1f min this session); loss curve -> %s%n", out, minutes, lossCsv);
        return 0;
    }

    /** The flags behind differing trainer settings, with the checkpoint's ({@code which} 0) or this run's (1) values. */
    private static String flags(java.util.Map<String, String[]> differences, int which) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (java.util.Map.Entry<String, String[]> e : differences.entrySet()) {
            String v = e.getValue()[which];
            parts.add(switch (e.getKey()) {
                case "batch" -> "--batch " + v;
                case "lr" -> "--lr " + v;
                case "warmup" -> "--warmup " + v;
                case "cosineEnd" -> v.equals("0") ? "--lr-schedule constant" : "--lr-schedule cosine --iters " + v;
                case "emaDecay" -> "--ema " + v;
                case "seed" -> "--seed " + v;
                default -> e.getKey() + " " + v;
            });
        }
        return String.join(" ", parts);
    }

    /** The --init weights, checked to have the --config architecture; unpacked, since training changes them. */
    private DiT initialWeights(DiTConfig c) throws java.io.IOException {
        ModelOptions options = new ModelOptions();
        options.model = init;
        options.heads = c.heads();
        DiT model = options.unpacked();
        String want = io.ditcache.cache.ModelFingerprint.architecture(c);
        String got = io.ditcache.cache.ModelFingerprint.architecture(model.config());
        if (!want.equals(got)) {
            throw new IllegalArgumentException("--init " + init + " is " + got + ", but --config " + c.name() + " is " + want);
        }
        return model;
    }
}
