package io.ditcache.cli;

import io.ditcache.tensor.Parallel;
import picocli.CommandLine.Option;

/** The {@code --threads} option of every compute command (a picocli mixin). */
final class ThreadOptions {
    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores, or DITCACHE_THREADS /"
            + " -Dditcache.threads if set).")
    Integer threads;

    /** Checks the value and sets the worker thread count (before any work; nothing else depends on it). */
    void apply() {
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
