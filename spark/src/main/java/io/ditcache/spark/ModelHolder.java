package io.ditcache.spark;

import io.ditcache.Cache;
import io.ditcache.Method;
import io.ditcache.Models;
import io.ditcache.Pipeline;
import io.ditcache.model.DiT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models and cache methods of this JVM, each loaded once, on first use, and kept for the JVM's life: every task
 * of a job that runs in one executor shares them (tasks run concurrently there; a {@link Pipeline} is immutable and
 * keeps each sampling call's cache state apart). Keyed by the {@code --model} value and the method spec, so a model
 * is read from a path every node can read, never broadcast from the driver.
 */
final class ModelHolder {
    private static final ConcurrentHashMap<String, DiT> MODELS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<List<Object>, Method> METHODS = new ConcurrentHashMap<>();

    private ModelHolder() {
    }

    /** The pipeline of {@code spec} for its method {@code method} (a router file read once per JVM). */
    static Pipeline pipeline(JobSpec spec, String method) {
        DiT model = MODELS.computeIfAbsent(spec.model(), m -> unchecked(() -> Models.load(m)));
        Method parsed = METHODS.computeIfAbsent(List.of(method, spec.threshold()),
                k -> unchecked(() -> Cache.parseMethod(method, spec.threshold())));
        return Pipeline.of(model).settings(spec.settings()).method(parsed);
    }

    private interface Load<T> {
        T get() throws IOException;
    }

    private static <T> T unchecked(Load<T> load) {
        try {
            return load.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
