package io.ditcache;

import io.ditcache.cache.CachePolicy;
import io.ditcache.cache.DeltaDiT;
import io.ditcache.cache.FirstBlockCache;
import io.ditcache.cache.Fora;
import io.ditcache.cache.NoCache;
import io.ditcache.cache.RouterFile;
import io.ditcache.cache.RouterMethod;
import io.ditcache.cache.RouterPolicy;
import io.ditcache.cache.ShippedRouterSet;
import io.ditcache.cache.ShippedRouters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The cache policies a {@link Pipeline} takes, one typed factory each, and {@link #parse} for their string form
 * (what {@code --cache} takes):
 * <pre>
 * none | fora:N | delta-dit[:interval=K,blocks=N,boundary=B] | fbcache:THRESHOLD | router:FILE|NAME|METHOD
 * </pre>
 * {@code fewer:K}, K of the steps with nothing cached, is a sampler setting ({@link Pipeline#fewerSteps}), not a
 * policy; {@link #parseMethod} reads it with the policies, as {@code --cache} and eval's {@code --methods} do.
 * A router is a file (a ditcache router, or an official L2C/HarmoniCa {@code .pt} checkpoint imported on the fly), the
 * name of a router shipped with the embedded model ({@link ShippedRouters}), or a method ({@code harmonica},
 * {@code l2c}): the shipped router of that method for the step count sampled. A file of that name comes first.
 */
public final class Cache {
    /** The policies' syntax, with {@code fewer:K} ({@link #parseMethod}). */
    public static final String SYNTAX = "none | fewer:K | fora:N | delta-dit[:interval=K,blocks=N,boundary=B]"
            + " | fbcache:THRESHOLD | router:FILE|NAME|METHOD (fewer:K: K of the steps, nothing cached;"
            + " FILE: a router .safetensors or an official L2C/HarmoniCa .pt;"
            + " NAME: a router shipped with the embedded model; METHOD: harmonica or l2c, the shipped one for the steps)";

    private Cache() {
    }

    /** Everything computed at every step: the uncached baseline. */
    public static NoCache none() {
        return new NoCache();
    }

    /** FORA: every unit recomputed every {@code interval} steps, reused between. */
    public static Fora fora(int interval) {
        return new Fora(interval);
    }

    /** Delta-DiT's stage-dependent block reuse with its defaults (see {@link DeltaDiT}). */
    public static DeltaDiT deltaDiT() {
        return DeltaDiT.DEFAULT;
    }

    public static DeltaDiT deltaDiT(int interval, int blocks, double boundary) {
        return new DeltaDiT(interval, blocks, boundary);
    }

    /** First-block caching: the rest of a step reused while block 0 changed by less than {@code threshold}. */
    public static FirstBlockCache firstBlock(double threshold) {
        return new FirstBlockCache(threshold);
    }

    /** A router at its default threshold: a file, a shipped router's name, or a method (see the class comment). */
    public static CachePolicy router(String router) throws IOException {
        return router(router, Double.NaN);
    }

    /** A router at threshold {@code threshold} in [0, 1] (NaN: the router's default). */
    public static CachePolicy router(String router, double threshold) throws IOException {
        String spec = "router:" + router;
        if (router == null || router.isBlank()) {
            throw bad(spec, "router: needs a file or a shipped router's name or method, e.g. router:harmonica");
        }
        checkThreshold(threshold);
        Path file = Path.of(router);
        if (Files.isDirectory(file)) {
            throw bad(spec, "'" + router + "' is a directory, not a router file");
        }
        if (Files.exists(file)) {
            return router(file, threshold);
        }
        String shipped = ShippedRouters.resolve(router);
        if (shipped != null) {
            return new RouterPolicy(ShippedRouters.load(shipped), shipped, threshold);
        }
        for (RouterMethod m : RouterMethod.values()) {
            if (m.id().equals(router.trim().toLowerCase(Locale.ROOT))) {
                return new ShippedRouterSet(m, threshold);
            }
        }
        throw new NoSuchFileException(router, null, "no such router file, nor a shipped router or method of that name;"
                + " shipped routers (for the embedded model): " + ShippedRouters.list());
    }

    /** A router file (safetensors or an official {@code .pt}) at its default threshold. */
    public static RouterPolicy router(Path file) throws IOException {
        return router(file, Double.NaN);
    }

    /** A router file at threshold {@code threshold} in [0, 1] (NaN: the file's default). */
    public static RouterPolicy router(Path file, double threshold) throws IOException {
        checkThreshold(threshold);
        return new RouterPolicy(RouterFile.load(file), file.toString(), threshold);
    }

    /** {@link #parse(String, double)} at each router's default threshold. */
    public static CachePolicy parse(String spec) throws IOException {
        return parse(spec, Double.NaN);
    }

    /**
     * The policy {@code spec} names ({@link #SYNTAX}, but not {@code fewer:K}, which is no policy: see
     * {@link #parseMethod}); {@code threshold} is used only by routers (NaN: the router's default). A router file is
     * read and validated here; whether it fits the model and step count is checked when the pipeline is built
     * ({@link CachePolicy#checkFits}).
     */
    public static CachePolicy parse(String spec, double threshold) throws IOException {
        Method m = parseMethod(spec, threshold);
        if (m.fewerSteps() != 0) {
            throw bad(spec, "fewer:K is a sampler setting, not a cache policy: Pipeline.fewerSteps("
                    + m.fewerSteps() + ") or SamplerSettings.withFewerSteps(" + m.fewerSteps() + ") (parseMethod reads"
                    + " it with the policies)");
        }
        return m.cache();
    }

    /** {@code spec} ({@link #SYNTAX}) as a method: a cache policy, or {@code fewer:K} with no caching. */
    public static Method parseMethod(String spec, double threshold) throws IOException {
        if (spec == null || spec.isBlank()) {
            throw bad(spec, "empty");
        }
        String s = spec.trim();
        int colon = s.indexOf(':');
        String name = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String arg = colon < 0 ? null : s.substring(colon + 1);
        try {
            switch (name) {
                case "none":
                    if (arg != null) {
                        throw bad(spec, "'none' takes no argument");
                    }
                    return Method.of(none());
                case "fewer":
                    return new Method(none(), positiveInt(spec, arg));
                case "fora":
                    return Method.of(fora(positiveInt(spec, arg)));
                case "delta-dit":
                    return Method.of(deltaDiT(spec, arg));
                case "fbcache":
                    return Method.of(firstBlock(number(spec, arg)));
                case "router":
                    return Method.of(router(arg == null ? "" : arg, threshold));
                default:
                    throw bad(spec, "unknown policy '" + name + "'");
            }
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw bad(spec, e.getMessage()); // a policy's own range check
        }
    }

    /** A router threshold is in [0, 1] or NaN (the router's default). */
    static void checkThreshold(double threshold) {
        if (!Double.isNaN(threshold) && !(threshold >= 0 && threshold <= 1)) {
            throw new InvalidSettingException("threshold", "threshold must be in [0, 1], got " + threshold);
        }
    }

    private static DeltaDiT deltaDiT(String spec, String arg) {
        if (arg == null) {
            return deltaDiT();
        }
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : arg.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw bad(spec, "delta-dit parameters are key=value pairs (interval, blocks, boundary), got '" + part + "'");
            }
            kv.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
        }
        int interval = DeltaDiT.DEFAULT.interval();
        int blocks = DeltaDiT.DEFAULT.blocks();
        double boundary = DeltaDiT.DEFAULT.boundary();
        for (Map.Entry<String, String> e : kv.entrySet()) {
            switch (e.getKey()) {
                case "interval":
                    interval = positiveInt(spec, e.getValue());
                    break;
                case "blocks":
                    blocks = nonNegativeInt(spec, e.getValue());
                    break;
                case "boundary":
                    boundary = number(spec, e.getValue());
                    break;
                default:
                    throw bad(spec, "unknown delta-dit parameter '" + e.getKey() + "' (known: interval, blocks, boundary)");
            }
        }
        return deltaDiT(interval, blocks, boundary);
    }

    private static int positiveInt(String spec, String arg) {
        int v = nonNegativeInt(spec, arg);
        if (v < 1) {
            throw bad(spec, "expected an integer >= 1, got " + v);
        }
        return v;
    }

    private static int nonNegativeInt(String spec, String arg) {
        try {
            int v = Integer.parseInt(arg == null ? "" : arg.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw bad(spec, "expected a non-negative integer, got '" + arg + "'");
        }
    }

    private static double number(String spec, String arg) {
        double v;
        try {
            v = Double.parseDouble(arg == null ? "" : arg.trim());
        } catch (NumberFormatException e) {
            throw bad(spec, "expected a number, got '" + arg + "'");
        }
        if (!Double.isFinite(v)) {
            throw bad(spec, "expected a finite number, got '" + arg + "'");
        }
        return v;
    }

    private static InvalidSettingException bad(String spec, String why) {
        return new InvalidSettingException("cache", "cache '" + spec + "': " + why + "; syntax: " + SYNTAX);
    }
}
