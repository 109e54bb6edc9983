package io.ditcache.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the {@code --cache} value:
 * <pre>
 * none | fewer:K | fora:N | delta-dit[:interval=K,blocks=N,boundary=B] | router:FILE | fbcache:THRESHOLD
 * </pre>
 * {@code router:NAME} also names a router shipped with the embedded model ({@link ShippedRouters}) where no file
 * {@code NAME} exists.
 */
public final class CachePolicies {
    public static final String SYNTAX =
            "none | fewer:K | fora:N | delta-dit[:interval=K,blocks=N,boundary=B] | router:FILE|NAME | fbcache:THRESHOLD"
                    + " (NAME: a shipped router, see ditcache info)";

    private CachePolicies() {
    }

    /**
     * The policy named by {@code spec}. {@code threshold} is {@code --threshold}, used only by {@code router:}
     * (NaN = the router file's default). A router file is read and validated here; whether it fits the model and
     * step count is checked by {@link CachePolicy#checkFits} when the denoiser is built.
     */
    public static CachePolicy parse(String spec, double threshold) throws IOException {
        if (spec == null || spec.isBlank()) {
            throw bad(spec, "empty");
        }
        String s = spec.trim();
        int colon = s.indexOf(':');
        String name = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String arg = colon < 0 ? null : s.substring(colon + 1);
        switch (name) {
            case "none":
                noArgument(spec, arg);
                return new NoCache();
            case "fewer":
                return new FewerSteps(positiveInt(spec, arg));
            case "fora":
                return new Fora(positiveInt(spec, arg));
            case "delta-dit":
                return deltaDiT(spec, arg);
            case "fbcache":
                return new FirstBlockCache(number(spec, arg));
            case "router":
                if (arg == null || arg.isEmpty()) {
                    throw bad(spec, "router: needs a file or a shipped router's name, e.g. router:dit-fmnist-harmonica-ddim20");
                }
                if (!Double.isNaN(threshold) && !(threshold >= 0 && threshold <= 1)) {
                    throw new IllegalArgumentException("--threshold must be in [0, 1], got " + threshold);
                }
                Path file = Path.of(arg);
                if (Files.isDirectory(file)) {
                    throw bad(spec, "'" + arg + "' is a directory, not a router file");
                }
                if (!Files.exists(file)) {
                    String shipped = ShippedRouters.resolve(arg);
                    if (shipped != null) {
                        return new RouterPolicy(ShippedRouters.load(shipped), shipped, threshold);
                    }
                    throw new NoSuchFileException(arg, null, "no such router file (--cache " + spec + "), nor a shipped"
                            + " router of that name; shipped routers (for --model default): " + ShippedRouters.list());
                }
                return new RouterPolicy(RouterFile.load(file), arg, threshold);
            default:
                throw bad(spec, "unknown policy '" + name + "'");
        }
    }

    private static DeltaDiT deltaDiT(String spec, String arg) {
        if (arg == null) {
            return DeltaDiT.DEFAULT;
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
        return new DeltaDiT(interval, blocks, boundary);
    }

    private static void noArgument(String spec, String arg) {
        if (arg != null) {
            throw bad(spec, "'none' takes no argument");
        }
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

    private static IllegalArgumentException bad(String spec, String why) {
        return new IllegalArgumentException("--cache '" + spec + "': " + why + "; syntax: " + SYNTAX);
    }
}
