package io.ditcache.cli;

import io.ditcache.tensor.Parallel;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code --threads} and {@code --gemm-backend} options of every compute command (a picocli mixin). */
final class ThreadOptions {
    @Mixin
    GemmBackendOption gemm = new GemmBackendOption();


    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores, or DITCACHE_THREADS /"
            + " -Dditcache.threads if set).")
    Integer threads;

    /** Checks the values and sets the GEMM backend and the worker thread count (before any work). */
    void apply() {
        gemm.apply();
        if (threads == null) {
            return;
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        if (threads != Parallel.threads()) {
            Parallel.setThreads(threads);
        }
    }
}
