package io.ditcache;

import io.ditcache.cache.ShippedRouters;
import io.ditcache.io.SafeTensors;
import io.ditcache.io.WeightsFiles;
import io.ditcache.model.ConfigInference;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.Macs;
import io.ditcache.model.ParameterLayout;
import io.ditcache.model.ShapeWarmup;
import io.ditcache.nn.Warmup;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.WeightPrecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads a DiT from one string, the same one {@code --model} takes: {@value #EMBEDDED} (the embedded Fashion-MNIST
 * model that ships in the jar), a preset name ({@link DiTConfig#PRESETS}, with random weights: for timing, its samples
 * are noise) or a weights file ({@code .safetensors}, {@code .pt}, {@code .pth}, {@code .bin}; the config is read off
 * the tensor shapes). {@link #load(String)} returns the model ready to sample, its weights packed; {@link #from}
 * gives the rarer options. Immutable. Errors name the file, key or value at fault.
 */
public final class Models {
    /** The name of the embedded model. */
    public static final String EMBEDDED = "default";
    /** Where the embedded model's weights lie on the class path. */
    public static final String EMBEDDED_WEIGHTS = ShippedRouters.RESOURCE_DIR + "dit-fmnist.safetensors";
    /** Weight files above this size announce their reading. */
    static final long ANNOUNCE_BYTES = 50_000_000L;
    /**
     * MACs per sample from which a model's kernels are warmed before it loads ({@link Warmup}): DiT-XL/2's first forward
     * left 1-2 GB of garbage without (119 G MACs); the embedded model's (0.17 G) leaves little, and the warm-up would
     * cost it seconds.
     */
    static final long WARM_UP_MACS = 1_000_000_000L;

    /**
     * Hears about the slow, silent phases of loading (reading a big file, drawing or packing many weights), and
     * about what went worse than planned in them.
     */
    @FunctionalInterface
    public interface Phases {
        /** Says that {@code what} begins; the returned action is run when it is done. */
        Runnable begin(String what);

        /** Says that something in a phase went worse than planned, though loading goes on; ignored by default. */
        default void warn(String message) {
        }

        /** Hears nothing. */
        Phases QUIET = what -> () -> { };
    }

    private final String model;
    private final Integer heads;
    private final Integer inputSize;
    private final Phases phases;
    private final WeightPrecision precision;

    private Models(String model, Integer heads, Integer inputSize, Phases phases, WeightPrecision precision) {
        if (model == null || model.isBlank()) {
            throw new InvalidSettingException("model", "model is empty: give 'default', a preset name or a weights file");
        }
        this.model = model;
        this.heads = heads;
        this.inputSize = inputSize;
        this.phases = phases;
        this.precision = precision;
    }

    /** The model {@code model} names, packed for fast inference. */
    public static DiT load(String model) throws IOException {
        return from(model).load();
    }

    /** A loader for {@code model}, for the options below. */
    public static Models from(String model) {
        return new Models(model, null, null, Phases.QUIET, WeightPrecision.FP32);
    }

    /** The attention head count, for a checkpoint whose width matches no preset and whose file does not say. */
    public Models heads(int heads) {
        if (heads < 1) {
            throw new InvalidSettingException("heads", "heads must be >= 1, got " + heads);
        }
        return new Models(model, heads, inputSize, phases, precision);
    }

    /** For a preset: the latent size (32 = 256x256 images, 64 = 512x512); files say their own. */
    public Models inputSize(int size) {
        if (size < 1) {
            throw new InvalidSettingException("input size", "input size must be >= 1, got " + size);
        }
        return new Models(model, heads, size, phases, precision);
    }

    /** Reports the slow phases to {@code phases}. */
    public Models phases(Phases phases) {
        return new Models(model, heads, inputSize, phases, precision);
    }

    /**
     * How {@link #load} stores the packed Linear weights: {@link WeightPrecision#FP32} (the default) or
     * {@link WeightPrecision#BF16} (half the memory; the model then computes with its weights rounded to bf16).
     */
    public Models weights(WeightPrecision precision) {
        if (precision == null) {
            throw new InvalidSettingException("weights", "weights: the precision is null; give fp32 or bf16");
        }
        return new Models(model, heads, inputSize, phases, precision);
    }

    public boolean isEmbedded() {
        return model.equals(EMBEDDED);
    }

    /** Whether the name is a preset, which has random weights. */
    public boolean isPreset() {
        return DiTConfig.isPreset(model);
    }

    /** The config alone (for a preset nothing is read or drawn, for a {@code .safetensors} file only its header). */
    public DiTConfig config() throws IOException {
        if (isPreset()) {
            return presetConfig();
        }
        if (isEmbedded()) {
            return loadUnpacked().config();
        }
        Path p = file();
        return inferConfig(WeightsFiles.open(p), p);
    }

    /**
     * The model, its Linear weights packed for fast inference ({@link DiT#packWeights(WeightPrecision)}) at
     * {@link #weights} precision as they are read: a random preset is drawn, and a {@code .safetensors} file read,
     * one tensor at a time, so the float copy of the weights is never whole in memory (a PyTorch file is read whole
     * first).
     */
    public DiT load() throws IOException {
        return build(precision);
    }

    /** The model without packed weights: for callers that change the weights (training) or time the unpacked path. */
    public DiT loadUnpacked() throws IOException {
        return build(null);
    }

    private DiT build(WeightPrecision packAs) throws IOException {
        String packing = packAs == null ? "" : packAs == WeightPrecision.BF16 ? ", packing them as bf16"
                : ", packing them for fast inference";
        if (isPreset()) {
            DiTConfig c = presetConfig();
            warmUp(c, packAs);
            Runnable done = phases.begin(String.format(Locale.ROOT, "%s: drawing %,d random weights%s", c.name(),
                    ParameterLayout.count(c), packing));
            DiT dit = DiT.random(c, 0, packAs);
            done.run();
            return dit;
        }
        if (isEmbedded()) {
            StateDict sd = ShippedRouters.readResource(EMBEDDED_WEIGHTS, SafeTensors::read);
            return new DiT(ConfigInference.infer(sd, "embedded " + EMBEDDED_WEIGHTS, null), sd, packAs);
        }
        Path p = file();
        long bytes = Files.size(p);
        Runnable done = bytes < ANNOUNCE_BYTES ? () -> { } : phases.begin(String.format(Locale.ROOT,
                "reading %s (%.0f MB)%s", p, bytes / 1e6, packing.isEmpty() ? "" : packing.replace("them", "its weights")));
        StateDict sd = WeightsFiles.open(p);
        DiTConfig c = inferConfig(sd, p);
        warmUp(c, packAs);
        DiT dit = new DiT(c, sd, packAs);
        done.run();
        return dit;
    }

    /**
     * Before loading a model packed for inference whose forward is at least {@link #WARM_UP_MACS}: {@link Warmup}, so
     * its first big calls run compiled (the embedded model's are small enough not to matter).
     */
    private void warmUp(DiTConfig c, WeightPrecision packAs) {
        if (packAs != null && Macs.forward(c) >= WARM_UP_MACS && Warmup.pending()) {
            boolean shapes = Warmup.claimShapes();
            Runnable done = phases.begin(shapes ? "compiling the vector kernels on one block of " + c.name()
                    : "compiling the vector kernels");
            boolean warm = shapes ? ShapeWarmup.run(c, packAs) : Warmup.kernels() == 0;
            done.run();
            if (!warm) {
                phases.warn(warmUpFailed(shapes));
            }
        }
    }

    /** What a warm-up that ran out of its budget means for the run ahead. */
    static String warmUpFailed(boolean shapes) {
        return "the vector kernels still allocate after the " + (shapes ? "shape " : "") + "warm-up's budget, on Java "
                + Runtime.version().feature() + " (JDK 17's JIT leaves them boxing their vectors in some processes,"
                + " JDK 25's in none measured): expect more memory and a slower forward than documented; with a JDK 25"
                + " installed under /usr/lib/jvm the ditcache launcher runs on it, or name one with DITCACHE_JAVA";
    }

    /** The weights file named, checked to exist. */
    private Path file() {
        Path p = Path.of(model);
        if (!Files.exists(p)) {
            throw new InvalidSettingException("model", "model " + model + ": no such file, and not a preset ("
                    + String.join(", ", DiTConfig.PRESETS.keySet()) + ") or '" + EMBEDDED + "'");
        }
        if (Files.isDirectory(p)) {
            throw new InvalidSettingException("model", "model " + model + " is a directory, not a weights file"
                    + " (.safetensors, .pt, .pth or .bin)");
        }
        return p;
    }

    /** The config read off the shapes of {@code sd} (nothing but shapes is read). */
    private DiTConfig inferConfig(StateDict sd, Path p) {
        String name = p.getFileName().toString();
        if (heads == null && !ConfigInference.knowsHeads(sd)) {
            throw new InvalidSettingException("heads", "heads: " + name + " does not say its number of attention heads"
                    + " and its width matches no preset; give it");
        }
        return ConfigInference.infer(sd, name, heads);
    }

    private DiTConfig presetConfig() {
        DiTConfig c = DiTConfig.preset(model);
        return inputSize == null ? c : c.withInputSize(inputSize);
    }
}
