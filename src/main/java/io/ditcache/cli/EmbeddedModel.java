package io.ditcache.cli;

import io.ditcache.cache.Router;
import io.ditcache.cache.RouterFile;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.ConfigInference;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.StateDict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The default model that ships inside the jar: {@link DiTConfig#FASHION_MNIST} trained here on Fashion-MNIST
 * (model card in the README), and its learned routers.
 */
final class EmbeddedModel {
    static final String DIR = "/io/ditcache/models/";
    static final String WEIGHTS = DIR + "dit-fmnist.safetensors";

    private EmbeddedModel() {
    }

    /** The embedded model, unpacked (callers that only sample should {@link DiT#packWeights()} it). */
    static DiT load() throws IOException {
        StateDict sd = readResource(WEIGHTS, SafeTensors::read);
        return new DiT(ConfigInference.infer(sd, "embedded " + WEIGHTS, null), sd);
    }

    /** The shipped router for a method and step count, e.g. ("harmonica", 20). */
    static Router router(String method, int steps, DiT model) throws IOException {
        String name = DIR + "dit-fmnist-" + method + "-ddim" + steps + ".safetensors";
        return readResource(name, f -> RouterFile.load(f, model, steps));
    }

    /** Path of a shipped resource as a temporary file (deleted on exit), for readers that take a file. */
    static Path resourceFile(String name) throws IOException {
        try (InputStream in = EmbeddedModel.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the jar has no " + name + ": the embedded model or router was not built into it");
            }
            Path tmp = Files.createTempFile("ditcache-", "-" + Path.of(name).getFileName());
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        }
    }

    interface Reader<T> {
        T read(Path p) throws IOException;
    }

    private static <T> T readResource(String name, Reader<T> reader) throws IOException {
        Path tmp = resourceFile(name);
        try {
            return reader.read(tmp);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
