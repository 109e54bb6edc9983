package io.ditcache.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny parallel-for over a fixed worker pool, in the spirit of llama3.java.
 * The thread count comes from {@code -Dditcache.threads=N} or the environment variable {@code DITCACHE_THREADS},
 * defaulting to the number of available processors.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    private Parallel() {
    }

    static int defaultThreads() {
        String p = System.getProperty("ditcache.threads");
        if (p == null || p.isBlank()) {
            p = System.getenv("DITCACHE_THREADS");
        }
        if (p != null && !p.isBlank()) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
            throw new IllegalArgumentException("ditcache.threads / DITCACHE_THREADS must be a positive integer, got '" + p + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setDaemon(true);
            t.setName("ditcache-worker-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    /** Number of worker threads kernels split their work over. */
    public static int threads() {
        return pool.getParallelism();
    }

    /**
     * Threads a {@link #parallelFor} started from the current thread would use: 1 inside a pool task (nested
     * loops run inline), else {@link #threads()}. Kernels size their task split with it.
     */
    public static int threadsHere() {
        return ForkJoinTask.inForkJoinPool() ? 1 : threads();
    }

    /** Replaces the worker pool (for benchmarks that compare thread counts). */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    /** Runs {@code body.accept(i)} for every i in [start, end), split into contiguous chunks over the workers. */
    public static void parallelFor(int start, int end, IntConsumer body) {
        int n = end - start;
        if (n <= 0) {
            return;
        }
        int workers = Math.min(threads(), n);
        if (workers == 1 || ForkJoinTask.inForkJoinPool()) {
            for (int i = start; i < end; i++) {
                body.accept(i);
            }
            return;
        }
        // Over-split a little so that uneven chunks balance.
        int chunks = Math.min(n, workers * 4);
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int lo = start + (int) ((long) n * c / chunks);
            int hi = start + (int) ((long) n * (c + 1) / chunks);
            tasks.add(pool.submit(() -> {
                for (int i = lo; i < hi; i++) {
                    body.accept(i);
                }
            }));
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }
}
