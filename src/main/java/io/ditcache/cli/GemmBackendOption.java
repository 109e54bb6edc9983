package io.ditcache.cli;

import io.ditcache.tensor.GemmBackend;
import picocli.CommandLine.Option;

/**
 * The {@code --gemm-backend} option (a picocli mixin, part of {@link ThreadOptions} and of {@code info}): the
 * command-line form of {@code -Dditcache.gemm.backend}.
 */
final class GemmBackendOption {
    @Option(names = "--gemm-backend", paramLabel = "NAME", description = "Matrix multiply: java (the default: the pure-Java"
            + " Vector API kernel) or openblas (OpenBLAS through org.bytedeco:openblas, whose jars must be added to the"
            + " class path, see README). Default: -Dditcache.gemm.backend, else java.")
    String backend;

    /** Switches to the named backend, or checks the property's; a backend that cannot load fails here (exit 2). */
    void apply() {
        if (backend == null) {
            GemmBackend.check();
        } else {
            GemmBackend.use(backend.trim());
        }
    }
}
