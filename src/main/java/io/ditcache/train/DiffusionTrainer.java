package io.ditcache.train;

import io.ditcache.data.Dataset;
import io.ditcache.diffusion.NoiseSchedule;
import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiT;
import io.ditcache.tensor.StandardNormal;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a DiT's weights as DiT's {@code train.py} does: x_t = sqrt(a_t) x0 + sqrt(1 - a_t) eps at a uniform random
 * timestep, labels dropped to the null class with probability 0.1 (for classifier-free guidance), loss = MSE between the
 * predicted and the true epsilon, AdamW, and an EMA of the weights that is what gets sampled from.
 * Epsilon-only models: the learned-variance (VB) term of learn_sigma models is not implemented and is refused.
 * <p>Deterministic and resumable: iteration i draws its batch from the epoch order {@code shuffledOrder(seed + epoch)}
 * and its timesteps, noise and label drops from an RNG seeded with (seed, i), so a run resumed from a checkpoint
 * continues exactly as if it had never stopped.
 */
public final class DiffusionTrainer {
    /**
     * Training settings. {@code warmup} iterations ramp the learning rate linearly from 0 to {@code lr}; after that it
     * stays constant if {@code cosineEnd} is 0, else it follows a half cosine from {@code lr} down to 0 at iteration
     * {@code cosineEnd} (annealing a short run's last iterations).
     */
    public record Settings(int batch, double lr, int warmup, int cosineEnd, double weightDecay, double emaDecay,
                           double labelDropout, long seed, int checkpointEvery) {
        public Settings {
            if (batch < 1 || lr <= 0 || warmup < 0 || labelDropout < 0 || labelDropout >= 1 || checkpointEvery < 1
                    || cosineEnd < 0 || (cosineEnd > 0 && cosineEnd <= warmup)) {
                throw new IllegalArgumentException("bad training settings: " + this);
            }
        }

        /** Constant learning rate after warm-up. */
        public Settings(int batch, double lr, int warmup, double weightDecay, double emaDecay, double labelDropout,
                        long seed, int checkpointEvery) {
            this(batch, lr, warmup, 0, weightDecay, emaDecay, labelDropout, seed, checkpointEvery);
        }

        /** The learning rate of (0-based) {@code iteration}. */
        public double learningRate(int iteration) {
            if (iteration < warmup) {
                return lr * (iteration + 1) / warmup;
            }
            if (cosineEnd == 0) {
                return lr;
            }
            double progress = Math.min(1.0, (double) (iteration - warmup) / (cosineEnd - warmup));
            return lr * 0.5 * (1 + Math.cos(Math.PI * progress));
        }
    }

    /**
     * Thrown by {@link #resume} when the checkpoint was written with other settings than this trainer's (those that
     * change the run; {@code checkpointEvery} may differ). {@link #differences} maps each differing
     * {@link Settings} component to its {@code {checkpoint's, this run's}} values, so callers can name their flags.
     */
    public static final class SettingsMismatchException extends IllegalArgumentException {
        private final transient Map<String, String[]> differences;

        SettingsMismatchException(Path file, Map<String, String[]> differences) {
            super(file + " was written with other settings ("
                    + differences.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[0] + ", now " + e.getValue()[1])
                    .collect(java.util.stream.Collectors.joining("; ")) + "); resume with the same settings");
            this.differences = differences;
        }

        /** Component name -> {value in the checkpoint, value now}, in the record's order. */
        public Map<String, String[]> differences() {
            return differences;
        }
    }

    /** Settings components that may change on resume: they do not change the trained weights. */
    private static final java.util.Set<String> FREE_ON_RESUME = java.util.Set.of("checkpointEvery");

    /** The prefix of a checkpoint's per-weight AdamW step counts ({@code adam_steps.KEY} in its metadata). */
    public static final String ADAM_STEPS_PREFIX = "adam_steps.";

    /** Header of the loss curve written by {@link #logLossTo}. */
    public static final String LOSS_HEADER = "iteration,loss";

    /** Receives progress: iteration done (1-based), total, loss of that iteration. */
    public interface Listener {
        void onIteration(int iteration, int total, double loss);
    }

    private final DiT model;
    private final Dataset data;
    private final Settings settings;
    private final NoiseSchedule schedule = NoiseSchedule.linear();
    private final StateDict ema = new StateDict();
    private final Map<String, AdamW> optimizers = new LinkedHashMap<>();
    private final Ema emaUpdate;
    private int iteration;
    private Path lossCsv;
    private int lossEvery;
    private double lossWindowSum;
    private int lossWindowCount;

    public DiffusionTrainer(DiT model, Dataset data, Settings settings) {
        if (model.config().learnSigma()) {
            throw new IllegalArgumentException("train-model trains epsilon-only configs; " + model.config().name()
                    + " learns sigma and its variational-bound loss term is not implemented");
        }
        if (data.images().dim(1) != model.config().inChannels() || data.images().dim(2) != model.config().inputSize()) {
            throw new IllegalArgumentException("data " + data.name() + " images " + java.util.Arrays.toString(data.imageShape())
                    + " do not fit the model input " + model.config().inChannels() + "x" + model.config().inputSize());
        }
        if (data.size() < settings.batch()) {
            throw new IllegalArgumentException("batch " + settings.batch() + " is larger than the dataset (" + data.size() + ")");
        }
        this.model = model;
        this.data = data;
        this.settings = settings;
        this.emaUpdate = new Ema(settings.emaDecay());
        for (Map.Entry<String, Tensor> e : model.stateDict().tensors().entrySet()) {
            if (e.getKey().equals("pos_embed")) {
                continue; // fixed sin-cos table, not trained
            }
            ema.put(e.getKey(), e.getValue().copy());
            optimizers.put(e.getKey(), AdamW.withDefaults(e.getValue().numel(), settings.weightDecay()));
        }
    }

    public int iteration() {
        return iteration;
    }

    /** The EMA weights, with pos_embed, as a state dict with the model's keys. */
    public StateDict emaWeights() {
        StateDict weights = model.stateDict();
        StateDict sd = new StateDict();
        for (String k : weights.keys()) {
            sd.put(k, k.equals("pos_embed") ? weights.get(k) : ema.get(k));
        }
        sd.metadata().putAll(weights.metadata());
        return sd;
    }

    /** The current (final, not averaged) weights, with the model's metadata. */
    public StateDict finalWeights() {
        return model.stateDict();
    }

    /**
     * Writes the loss curve to {@code csv} during {@link #train}: a header {@value #LOSS_HEADER}, then one row
     * {@code iteration,mean loss} every {@code every} iterations and at the end of each {@code train} call, the mean
     * over the iterations since the previous row. The open window (sum and count since the last row) is part of the
     * checkpoint, so the curve stays consistent with the checkpoint: call this after {@link #resume}, and the file's
     * rows up to the resumed iteration are kept, anything later (rows a killed run wrote after its last checkpoint,
     * a torn last line) dropped, and a missing header restored; a resumed run then writes the same rows as one that
     * never stopped. Without a resume the file is started afresh. Written through a temporary file and a rename.
     */
    public void logLossTo(Path csv, int every) throws IOException {
        if (every < 1) {
            throw new IllegalArgumentException("the loss curve needs a row interval >= 1, got " + every);
        }
        StringBuilder kept = new StringBuilder(LOSS_HEADER).append('\n');
        if (iteration > 0 && Files.exists(csv)) {
            int last = 0;
            // ISO-8859-1: any bytes decode, so a torn or garbled tail cannot stop the repair.
            String text = new String(Files.readAllBytes(csv), java.nio.charset.StandardCharsets.ISO_8859_1);
            for (String line : text.split("\n", -1)) {
                int row = lossRowIteration(line.strip());
                if (row > last && row <= iteration) {
                    kept.append(line.strip()).append('\n');
                    last = row;
                }
            }
        }
        byte[] bytes = kept.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        io.ditcache.io.AtomicFiles.writeStream(csv, out -> out.write(bytes));
        this.lossCsv = csv;
        this.lossEvery = every;
    }

    /** The iteration of a loss-curve row {@code "i,loss"} with i >= 1 and a finite loss; 0 for anything else. */
    private static int lossRowIteration(String line) {
        int comma = line.indexOf(',');
        if (comma < 1 || line.indexOf(',', comma + 1) >= 0) {
            return 0;
        }
        try {
            int it = Integer.parseInt(line.substring(0, comma));
            double loss = Double.parseDouble(line.substring(comma + 1));
            return it >= 1 && Double.isFinite(loss) ? it : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void logLoss(double loss, int total) throws IOException {
        lossWindowSum += loss;
        lossWindowCount++;
        if (iteration % lossEvery == 0 || iteration == total) {
            String row = String.format(java.util.Locale.ROOT, "%d,%.6f\n", iteration, lossWindowSum / lossWindowCount);
            Files.writeString(lossCsv, row, java.nio.charset.StandardCharsets.US_ASCII,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            lossWindowSum = 0;
            lossWindowCount = 0;
        }
    }

    /** Runs iterations until {@code total} are done, checkpointing to {@code checkpoint} (if not null). */
    public void train(int total, Path checkpoint, Listener listener) throws IOException {
        DiTTape tape = new DiTTape(model);
        while (iteration < total) {
            double loss = step(tape);
            iteration++;
            if (lossCsv != null) {
                logLoss(loss, total); // before the checkpoint of this iteration: the curve never lags the checkpoint
            }
            if (listener != null) {
                listener.onIteration(iteration, total, loss);
            }
            if (checkpoint != null && (iteration % settings.checkpointEvery() == 0 || iteration == total)) {
                saveCheckpoint(checkpoint);
            }
        }
    }

    /** One optimisation step; returns the batch loss. */
    double step(DiTTape tape) {
        int b = settings.batch();
        int perEpoch = data.size() / b;
        int epoch = iteration / perEpoch;
        int offset = (iteration % perEpoch) * b;
        int[] order = data.shuffledOrder(settings.seed() + epoch);
        int[] idx = java.util.Arrays.copyOfRange(order, offset, offset + b);
        Dataset.Batch batch = data.gather(idx);
        SplittableRandom rng = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + iteration);

        Tensor x0 = batch.images();
        int per = x0.numel() / b;
        Tensor xt = Tensor.zeros(x0.shape());
        float[] eps = new float[x0.numel()];
        float[] t = new float[b];
        for (int s = 0; s < b; s++) {
            int ts = rng.nextInt(schedule.numTimesteps());
            t[s] = ts;
            double ab = schedule.alphaCumprod(ts);
            float ca = (float) Math.sqrt(ab);
            float cb = (float) Math.sqrt(1 - ab);
            for (int i = s * per; i < (s + 1) * per; i++) {
                eps[i] = (float) StandardNormal.sample(rng);
                xt.data()[i] = ca * x0.data()[i] + cb * eps[i];
            }
        }
        int[] y = DiTTape.dropLabels(batch.labels(), settings.labelDropout(), rng, model.config().numClasses());

        Tensor out = tape.forward(xt, t, y, UnitMix.NONE, GradientRequest.WEIGHTS);
        Tensor dOut = Tensor.zeros(out.shape());
        double loss = 0;
        float scale = 2f / out.numel();
        for (int i = 0; i < out.numel(); i++) {
            float diff = out.data()[i] - eps[i];
            loss += (double) diff * diff;
            dOut.data()[i] = scale * diff;
        }
        loss /= out.numel();
        StateDict grads = tape.backward(dOut).weights();

        double lr = settings.learningRate(iteration);
        model.unpackWeights();
        for (Map.Entry<String, AdamW> e : optimizers.entrySet()) {
            Tensor p = model.weight(e.getKey());
            e.getValue().step(p.data(), grads.get(e.getKey()).data(), lr);
            emaUpdate.update(ema.get(e.getKey()).data(), p.data());
        }
        return loss;
    }


    /**
     * Writes weights, EMA, optimiser moments and the iteration count, atomically, with the settings, the
     * {@link TrainingCheckpoints#MODEL_FORMAT format} and the writer's provenance in the metadata.
     */
    public void saveCheckpoint(Path file) throws IOException {
        StateDict ck = new StateDict();
        TrainingCheckpoints.stamp(ck.metadata(), TrainingCheckpoints.MODEL_FORMAT);
        for (Map.Entry<String, AdamW> e : optimizers.entrySet()) {
            String k = e.getKey();
            AdamW opt = e.getValue();
            int[] shape = model.weight(k).shape();
            ck.put("model." + k, model.weight(k));
            ck.put("ema." + k, ema.get(k));
            ck.put("adam_m." + k, Tensor.of(opt.firstMoment(), shape));
            ck.put("adam_v." + k, Tensor.of(opt.secondMoment(), shape));
            ck.metadata().put(ADAM_STEPS_PREFIX + k, Long.toString(opt.steps()));
        }
        ck.metadata().put("iteration", Integer.toString(iteration));
        ck.metadata().put("settings", settings.toString());
        // The loss curve's open window (Double.toString round-trips exactly), so a resumed curve matches.
        ck.metadata().put("loss_window_sum", Double.toString(lossWindowSum));
        ck.metadata().put("loss_window_count", Integer.toString(lossWindowCount));
        SafeTensors.write(file, ck, DType.F32);
    }

    /**
     * Restores a checkpoint written by {@link #saveCheckpoint} for the same model config and settings (its
     * provenance may differ: it is not compared).
     */
    public void resume(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--resume: no checkpoint at " + file);
        }
        StateDict ck = SafeTensors.read(file);
        String saved = ck.metadata().get("settings");
        if (saved != null && !saved.equals(settings.toString())) {
            Map<String, String> then = settingsFields(saved);
            Map<String, String> now = settingsFields(settings.toString());
            Map<String, String[]> differences = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : now.entrySet()) {
                String old = then.get(e.getKey());
                if (!FREE_ON_RESUME.contains(e.getKey()) && !e.getValue().equals(old)) {
                    differences.put(e.getKey(), new String[] {old == null ? "(not recorded)" : old, e.getValue()});
                }
            }
            if (!differences.isEmpty()) {
                throw new SettingsMismatchException(file, differences);
            }
        }
        model.unpackWeights();
        for (Map.Entry<String, AdamW> e : optimizers.entrySet()) {
            String k = e.getKey();
            float[] w = model.weight(k).data();
            int[] shape = model.weight(k).shape();
            System.arraycopy(ck.get("model." + k, shape).data(), 0, w, 0, w.length);
            System.arraycopy(ck.get("ema." + k, shape).data(), 0, ema.get(k).data(), 0, w.length);
            String steps = ck.metadata().get(ADAM_STEPS_PREFIX + k);
            if (steps == null) {
                throw new IllegalArgumentException(file + ": no optimiser step count for '" + k + "'");
            }
            e.getValue().restore(ck.get("adam_m." + k, shape).data(), ck.get("adam_v." + k, shape).data(), Long.parseLong(steps));
        }
        iteration = Integer.parseInt(ck.metadata().getOrDefault("iteration", "0"));
        lossWindowSum = Double.parseDouble(ck.metadata().getOrDefault("loss_window_sum", "0"));
        lossWindowCount = Integer.parseInt(ck.metadata().getOrDefault("loss_window_count", "0"));
    }

    /** The components of a {@code Settings[name=value, ...]} string, in order. */
    private static Map<String, String> settingsFields(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        int open = text.indexOf('[');
        int close = text.lastIndexOf(']');
        if (open < 0 || close < open) {
            return fields;
        }
        for (String part : text.substring(open + 1, close).split(", ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return fields;
    }
}
