package io.ditcache.cli;

import io.ditcache.Provenance;
import io.ditcache.cache.Router;
import io.ditcache.cache.RouterFile;
import io.ditcache.cache.RouterImport;
import io.ditcache.cache.RouterMethod;
import io.ditcache.io.WeightsFormat;
import io.ditcache.io.WeightsFormatException;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ditcache import-router IN.pt --out OUT.safetensors}: converts an official L2C/HarmoniCa router checkpoint
 * ({@link RouterImport}) into a ditcache router file once, so that it need not be unpickled on every use and can
 * carry what the checkpoint does not say (the model's fingerprint, the guidance scale, a threshold).
 */
@Command(name = "import-router", mixinStandardHelpOptions = true,
        description = {"Convert an official L2C or HarmoniCa router checkpoint (.pt, torch.save) into a ditcache router"
                + " file (.safetensors).",
                "The method is detected (HarmoniCa's arguments carry lambda_c; without arguments, its fixed first-step"
                        + " router) unless --method names it; the step count is the number of routers; the guidance scale"
                        + " is args.cfg_scale where the checkpoint records it. Nothing in the checkpoint is run (its"
                        + " pickle is read against an allow-list). With --model the router is checked against that model"
                        + " and stamped with its fingerprint, so that using it with another model is refused; without, only"
                        + " its depth and step count can be checked on use. Every scalar argument of the checkpoint is kept"
                        + " as provenance (info --router OUT prints it). OUT is written atomically.",
                "Example: ditcache import-router harmonica-dit-xl-20.pt --model DiT-XL-2-256x256.pt --out r.safetensors"})
final class ImportRouterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN.pt", description = "The official router checkpoint.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.safetensors", description = "The router file to write.")
    Path out;

    @Option(names = "--method", paramLabel = "METHOD", description = "harmonica or l2c (default: detected from the"
            + " checkpoint; needed when it has no arguments and no fixed first-step router).")
    String method;

    @Option(names = "--model", paramLabel = "MODEL", description = "The model the router was trained for: a .pt/"
            + ".safetensors checkpoint or 'default'. Its depth is checked and its fingerprint stored (default: none).")
    String model;

    @Option(names = "--cfg", paramLabel = "G", description = "The guidance scale the router was trained at, for a"
            + " checkpoint that does not record args.cfg_scale (sampling at another scale then warns).")
    Double cfg;

    @Option(names = "--threshold", paramLabel = "T", description = "The default threshold to store, in [0, 1]"
            + " (default: " + Router.DEFAULT_THRESHOLD + "; --threshold of sample and eval overrides it).")
    Double threshold;

    @Override
    public Integer call() throws Exception {
        // Everything is checked before the model, the only slow part, is loaded.
        RouterMethod m = method == null ? null : parseMethod(method);
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("--threshold must be in [0, 1], got " + threshold);
        }
        checkInput(in);
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            throw new IllegalArgumentException("--out " + out + ": a router file is .safetensors; give such a name");
        }
        if (Files.exists(out) && Files.isSameFile(in, out)) {
            throw new IllegalArgumentException("--out " + out + " is the input file; give another name");
        }
        Preflight.outputFile("--out", out);
        if (model != null && DiTConfig.isPreset(model)) {
            throw new IllegalArgumentException("--model " + model + " is a preset, which has no trained weights to"
                    + " fingerprint; give the checkpoint the router was trained for (or leave --model out)");
        }
        Router router = RouterImport.read(in, m, null);
        double recorded = router.cfg();
        if (cfg != null && !Double.isNaN(recorded) && Math.abs(cfg - recorded) > 1e-6) {
            throw new IllegalArgumentException("--cfg " + cfg + ": " + in + " records args.cfg_scale " + recorded
                    + "; leave --cfg out (it is taken from the checkpoint)");
        }
        if (model != null) {
            ModelOptions options = new ModelOptions();
            options.model = model;
            DiT dit = options.unpacked();
            router = RouterImport.read(in, m, dit); // checks the depth, stamps the fingerprint
        }
        Map<String, String> provenance = new LinkedHashMap<>(router.provenance());
        provenance.putAll(Provenance.current().toMap());
        if (model != null) {
            provenance.put("model_source", model);
        }
        Router imported = new Router(router.method(), router.logits(), router.sampler(),
                cfg != null ? cfg : recorded, router.modelFingerprint(),
                threshold != null ? threshold : router.defaultThreshold(), provenance);
        RouterFile.save(out, imported);
        System.out.printf(Locale.ROOT, "imported %s router (%s, %d steps x %d units, depth %d, %s, cfg %s, threshold %s)"
                        + " from %s -> %s%n", imported.method().id(), m == null ? "method detected" : "method given",
                imported.steps(), imported.units(), imported.depth(), imported.sampler(),
                Double.isNaN(imported.cfg()) ? "not recorded" : Double.toString(imported.cfg()),
                imported.defaultThreshold(), in, out);
        String unverified = imported.unverifiedModelWarning(out.toString());
        if (unverified != null) {
            System.err.println(unverified + " (import-router --model MODEL stores the fingerprint)");
        }
        return 0;
    }

    private static RouterMethod parseMethod(String name) {
        try {
            return RouterMethod.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--method " + name + ": " + e.getMessage(), e);
        }
    }

    /** {@code file} exists and is an official checkpoint (a torch.save file), or the error says what it is instead. */
    private static void checkInput(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is " + (Files.isDirectory(file) ? "a directory" : "not a regular file")
                    + ", not a router checkpoint");
        }
        switch (WeightsFormat.of(file)) {
            case TORCH_ZIP, TORCH_LEGACY -> { }
            case SAFETENSORS -> throw new WeightsFormatException(file, "a safetensors file, not an official .pt router"
                    + " checkpoint; ditcache routers are used as they are (info --router " + file + ")");
            default -> throw new WeightsFormatException(file, "not an official L2C/HarmoniCa router checkpoint"
                    + " (a torch.save file)");
        }
    }
}
