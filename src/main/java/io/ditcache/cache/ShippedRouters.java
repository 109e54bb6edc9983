package io.ditcache.cache;

import io.ditcache.model.DiT;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The learned routers that ship inside the jar with the embedded default model ({@code --model default}), named by
 * their file stem: {@code dit-fmnist-{harmonica,l2c}-ddim{10,20,50}}. {@code --cache router:NAME} accepts these names
 * wherever no file of that name exists, and {@code router:harmonica} or {@code router:l2c} the one of the step count
 * sampled ({@link ShippedRouterSet}). All were trained for the shipped weights (their model fingerprint refuses
 * any other model) with sampler {@link #SAMPLER} at guidance {@link #CFG}.
 */
public final class ShippedRouters {
    /** Where the embedded model and its routers lie on the class path. */
    public static final String RESOURCE_DIR = "/io/ditcache/models/";
    /** The sampler the embedded model and its routers were made for. */
    public static final String SAMPLER = "ddim+clip";
    /** The guidance scale the embedded model and its routers were made for. */
    public static final float CFG = 1.5f;
    /** The step counts a router of each method ships for. */
    public static final List<Integer> STEPS = List.of(10, 20, 50);
    /** Every shipped router's name. */
    public static final List<String> NAMES = Stream.of(RouterMethod.HARMONICA, RouterMethod.L2C)
            .flatMap(m -> STEPS.stream().map(steps -> name(m.id(), steps))).toList();

    private static final String EXTENSION = ".safetensors";

    private ShippedRouters() {
    }

    /** The shipped router's name for a method and step count, e.g. ("harmonica", 20) -> dit-fmnist-harmonica-ddim20. */
    public static String name(String method, int steps) {
        return "dit-fmnist-" + method + "-ddim" + steps;
    }

    /** The shipped name {@code spec} denotes ({@code NAME} or {@code NAME.safetensors}), or null if none. */
    public static String resolve(String spec) {
        if (spec == null) {
            return null;
        }
        String s = spec.trim();
        if (s.endsWith(EXTENSION)) {
            s = s.substring(0, s.length() - EXTENSION.length());
        }
        return NAMES.contains(s) ? s : null;
    }

    /** The shipped names, comma-separated, for messages. */
    public static String list() {
        return String.join(", ", NAMES);
    }

    /** Reads and validates the shipped router {@code name} (one of {@link #NAMES}). */
    public static Router load(String name) throws IOException {
        String resolved = resolve(name);
        if (resolved == null) {
            throw new IllegalArgumentException("'" + name + "' is not a shipped router; shipped routers (for the embedded"
                    + " model): " + list());
        }
        return readResource(RESOURCE_DIR + resolved + EXTENSION, RouterFile::load);
    }

    /** Reads the shipped router {@code name} and checks that it fits {@code model} at {@code steps} steps. */
    public static Router load(String name, DiT model, int steps) throws IOException {
        Router r = load(name);
        r.checkFits(model, steps, resolve(name));
        return r;
    }

    /** Reads a file. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Path file) throws IOException;
    }

    /** Reads a class-path resource with a reader that takes a file: through a temporary copy, deleted afterwards. */
    public static <T> T readResource(String resource, Reader<T> reader) throws IOException {
        Path tmp = resourceFile(resource);
        try {
            return reader.read(tmp);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A class-path resource copied to a temporary file (deleted on exit), for readers that take a file. */
    public static Path resourceFile(String resource) throws IOException {
        try (InputStream in = ShippedRouters.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the jar has no " + resource + ": the embedded model or router was not built into it");
            }
            Path tmp = Files.createTempFile("ditcache-", "-" + Path.of(resource).getFileName());
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        }
    }
}
