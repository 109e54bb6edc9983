package io.ditcache.cli;

import io.ditcache.Provenance;
import io.ditcache.cache.CachePlan;
import io.ditcache.cache.Router;
import io.ditcache.cache.RouterFile;
import io.ditcache.cache.ShippedRouters;
import io.ditcache.io.SafeTensors;
import io.ditcache.io.WeightsFormat;
import io.ditcache.io.WeightsFormatException;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.Macs;
import io.ditcache.model.ParameterLayout;
import io.ditcache.tensor.Gemm;
import io.ditcache.train.DiffusionTrainer;
import io.ditcache.train.TrainingCheckpoints;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ditcache info}: a model's configuration, size and compute cost, and the GEMM settings of this machine; the
 * presets and shipped routers; a router; a training checkpoint.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print a model's configuration, parameter count and MACs per forward, and the GEMM's register tile,"
                + " vector width and block sizes on this machine (-Dditcache.gemm.tile, .kc, .mc, .nc override them), or the"
                + " native backend's (--gemm-backend openblas); with a --model file also the provenance and metadata it records;"
                + " without --model also the presets and the routers shipped with the embedded model; with --router a"
                + " router file's settings. Given a training checkpoint (OUT.ckpt.safetensors of train-router or"
                + " train-model) with either, its iteration, provenance and metadata.",
                "MACs count every linear layer and the two attention products per sample; norms, activations and "
                        + "element-wise ops are left out (DiT-XL/2 at 256x256: about 118.6 G, the DiT paper's 'Gflops').",
                "Examples: ditcache info; ditcache info --model DiT-XL/2; ditcache info --router router.safetensors"})
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--router", paramLabel = "FILE|NAME", description = "Print this router's settings and metadata: a"
            + " router file, or a shipped router's name (e.g. dit-fmnist-harmonica-ddim20).")
    String router;

    @Mixin
    GemmBackendOption gemm = new GemmBackendOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean modelGiven = spec.commandLine().getParseResult().hasMatchedOption("--model");
        String named = router != null ? router : modelGiven ? model.model : null;
        if (named != null && printCheckpoint(Path.of(named), System.out)) {
            return 0;
        }
        if (router != null) {
            Path file = Path.of(router);
            String shipped = Files.exists(file) ? null : ShippedRouters.resolve(router);
            if (shipped == null && !Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--router " + router + ": " + (Files.isDirectory(file) ? "a directory"
                        : "no such file") + ", nor a shipped router; shipped routers: " + ShippedRouters.list());
            }
            Router r = shipped != null ? ShippedRouters.load(shipped) : RouterFile.load(file);
            printRouter(shipped != null ? shipped + " (shipped with the embedded model)" : router, r, System.out);
            return 0;
        }
        gemm.apply();
        String gemmSettings = Gemm.settings();
        if (modelGiven && !model.isRandom()) {
            DiT dit = model.unpacked();
            print(dit.config(), System.out);
            printMetadata(dit.metadata(), System.out);
        } else {
            print(model.config(), System.out);
        }
        System.out.printf(Locale.ROOT, "gemm             %s%n", gemmSettings);
        if (!modelGiven) {
            System.out.println();
            System.out.println("presets          " + String.join(", ", DiTConfig.PRESETS.keySet())
                    + " (weights only with --random-weights, for timing)");
            System.out.println("sampling         the embedded model (--model default) and its routers: --sampler "
                    + ShippedRouters.SAMPLER + " --cfg " + ShippedRouters.CFG + " (the defaults of sample and eval for it)");
            System.out.println();
            System.out.println("shipped routers (--cache router:NAME, for --model default; ditcache info --router NAME for one):");
            System.out.printf(Locale.ROOT, "  %-28s %-9s %5s  %-9s %4s  %9s  %s%n", "NAME", "method", "steps", "sampler",
                    "cfg", "threshold", "cache usage at threshold");
            for (String name : ShippedRouters.NAMES) {
                Router r = ShippedRouters.load(name);
                System.out.printf(Locale.ROOT, "  %-28s %-9s %5d  %-9s %4s  %9.4f  %.1f%%%n", name, r.method().id(), r.steps(),
                        r.sampler(), cfg(r), r.defaultThreshold(), 100 * r.plan(r.defaultThreshold()).usageRatio());
                for (Map.Entry<String, String> e : r.provenance().entrySet()) {
                    if (e.getKey().startsWith("convergence.")) {
                        System.out.println("      " + e.getKey() + " = " + e.getValue());
                    }
                }
            }
        }
        return 0;
    }

    /** A model file's provenance ({@link Provenance#MODEL_PREFIX}) and every metadata entry it holds. */
    static void printMetadata(Map<String, String> metadata, PrintStream out) {
        out.printf(Locale.ROOT, "written by       %s%n", writtenBy(metadata, Provenance.MODEL_PREFIX));
        if (metadata.isEmpty()) {
            out.println("metadata         (none: the file holds weights only)");
            return;
        }
        out.println("metadata:");
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            out.println("  " + e.getKey() + " = " + e.getValue());
        }
    }

    /**
     * If {@code file} is a training checkpoint ({@link TrainingCheckpoints}): prints its kind, iteration, provenance
     * and metadata (the per-weight optimiser step counts as one line) and returns true; else prints nothing.
     */
    static boolean printCheckpoint(Path file, PrintStream out) throws IOException {
        Map<String, String> metadata;
        try {
            if (!Files.isRegularFile(file) || WeightsFormat.of(file) != WeightsFormat.SAFETENSORS) {
                return false;
            }
            metadata = SafeTensors.readMetadata(file);
        } catch (WeightsFormatException e) {
            return false; // loading it as a router or model reports what is wrong with it
        }
        TrainingCheckpoints.Kind kind = TrainingCheckpoints.kind(metadata);
        if (kind == null) {
            return false;
        }
        String command = switch (kind) {
            case ROUTER_TRAINING -> "train-router";
            case MODEL_TRAINING -> "train-model";
        };
        out.printf(Locale.ROOT, "checkpoint       %s: %s, iteration %s (%s --resume continues it)%n", file, kind,
                metadata.getOrDefault("iteration", "?"), command);
        out.printf(Locale.ROOT, "written by       %s%n", writtenBy(metadata, TrainingCheckpoints.PROVENANCE_PREFIX));
        out.println("metadata:");
        long stepCounts = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey().startsWith(DiffusionTrainer.ADAM_STEPS_PREFIX)) {
                stepCounts++;
            } else {
                out.println("  " + e.getKey() + " = " + e.getValue());
            }
        }
        if (stepCounts > 0) {
            out.printf(Locale.ROOT, "  %s* (%d entries: each weight's AdamW step count)%n",
                    DiffusionTrainer.ADAM_STEPS_PREFIX, stepCounts);
        }
        return true;
    }

    /** The provenance that {@code metadata} records under {@code prefix}, in a line. */
    private static String writtenBy(Map<String, String> metadata, String prefix) {
        Provenance p = Provenance.fromMetadata(metadata, prefix);
        return p == null ? "(not recorded: written by another program or an older ditcache)" : p.summary();
    }

    /** A router's settings, provenance, metadata and plan at its default threshold. */
    static void printRouter(String source, Router r, PrintStream out) {
        CachePlan plan = r.plan(r.defaultThreshold());
        out.printf(Locale.ROOT, "router           %s%n", source);
        out.printf(Locale.ROOT, "written by       %s%n", writtenBy(r.provenance(), ""));
        out.printf(Locale.ROOT, "method           %s%n", r.method().id());
        out.printf(Locale.ROOT, "steps / depth    %d / %d (%d cache units)%n", r.steps(), r.depth(), r.units());
        out.printf(Locale.ROOT, "sampler          %s%n", r.sampler().isEmpty() ? "(not recorded)" : r.sampler());
        out.printf(Locale.ROOT, "cfg              %s%n", cfg(r));
        out.printf(Locale.ROOT, "threshold        %s (default; --threshold overrides)%n", r.defaultThreshold());
        out.printf(Locale.ROOT, "cache usage      %.1f%% of (step, unit) pairs reused at that threshold%n", 100 * plan.usageRatio());
        out.printf(Locale.ROOT, "model            %s%n", r.modelFingerprint().isEmpty()
                ? "(no fingerprint: only depth and steps are checked on use)" : "fingerprint " + r.modelFingerprint());
        if (!r.provenance().isEmpty()) {
            out.println("metadata (provenance.*):");
            for (Map.Entry<String, String> e : r.provenance().entrySet()) {
                out.println("  " + e.getKey() + " = " + e.getValue());
            }
        }
        out.println("plan at the default threshold (# compute, . reuse; first step run first):");
        out.print(plan.toMap());
    }

    private static String cfg(Router r) {
        return Double.isNaN(r.cfg()) ? "?" : String.format(Locale.ROOT, "%.1f", r.cfg());
    }

    static void print(DiTConfig c, PrintStream out) {
        out.printf(Locale.ROOT, "model            %s%n", c.name());
        out.printf(Locale.ROOT, "depth            %d blocks (%d cache units: attention + MLP per block)%n", c.depth(), c.units());
        out.printf(Locale.ROOT, "hidden / heads   %d / %d (head dim %d), MLP %d%n", c.hidden(), c.heads(), c.headDim(), c.mlpHidden());
        out.printf(Locale.ROOT, "input            %d x %d x %d, patch %d -> %d tokens%n", c.inChannels(), c.inputSize(), c.inputSize(), c.patch(), c.tokens());
        out.printf(Locale.ROOT, "output channels  %d (%s)%n", c.outChannels(), c.learnSigma() ? "epsilon + learned variance" : "epsilon");
        out.printf(Locale.ROOT, "classes          %d (+1 null class for guidance)%n", c.numClasses());
        long params = ParameterLayout.count(c);
        out.printf(Locale.ROOT, "parameters       %,d (%.1f MB as float32)%n", params, params * 4 / 1e6);
        long macs = Macs.forward(c);
        out.printf(Locale.ROOT, "MACs / forward   %,d (%.2f G) per sample%n", macs, macs / 1e9);
        out.printf(Locale.ROOT, "  per block      attention %.3f G, MLP %.3f G; always run %.3f G%n",
                Macs.unit(c, 0) / 1e9, Macs.unit(c, 1) / 1e9, Macs.alwaysOn(c) / 1e9);
        long cacheBytes = 2L * c.depth() * 2 * c.tokens() * c.hidden() * 4;
        out.printf(Locale.ROOT, "feature cache    at most %.1f MB per sample with CFG (2 x depth x 2 x tokens x hidden x 4 B)%n", cacheBytes / 1e6);
    }
}
