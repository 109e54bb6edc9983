package io.ditcache.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny parallel-for over a fixed worker pool, in the spirit of llama3.java.
 * The thread count comes from {@code -Dditcache.threads=N} or the environment variable {@code DITCACHE_THREADS},
 * defaulting to the number of available processors.
 */
public final class Parallel {
    private static volatile int threads = defaultThreads();
    /** Nesting depth of parallel regions on the calling thread: nested regions run serially, like pool workers. */
    private static final ThreadLocal<int[]> INSIDE = ThreadLocal.withInitial(() -> new int[1]);
    /** threads - 1 helpers: the calling thread always does a share of the work itself. */
    private static volatile ForkJoinPool pool = newPool(threads);

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
        return new ForkJoinPool(Math.max(1, threads - 1), p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setDaemon(true);
            t.setName("ditcache-worker-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    /** Number of worker threads kernels split their work over. */
    public static int threads() {
        return threads;
    }

    /**
     * Threads a {@link #parallelFor} started from the current thread would use: 1 inside a pool task (nested
     * loops run inline), else {@link #threads()}. Kernels size their task split with it.
     */
    public static int threadsHere() {
        return ForkJoinTask.inForkJoinPool() || INSIDE.get()[0] > 0 ? 1 : threads();
    }

    /** Replaces the worker pool (for benchmarks that compare thread counts). */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        ForkJoinPool old = pool;
        pool = newPool(threads);
        Parallel.threads = threads;
        old.shutdown();
    }

    /**
     * Runs {@code body.accept(i)} for every i in [start, end). The range is cut into a few chunks per thread; the
     * calling thread and threads-1 pool workers take chunks from a shared counter until none is left, so no thread
     * waits on a fixed assignment and the caller never idles while helpers work (one hand-off per worker per call).
     */
    public static void parallelFor(int start, int end, IntConsumer body) {
        int n = end - start;
        if (n <= 0) {
            return;
        }
        int workers = Math.min(threads, n);
        if (workers == 1 || ForkJoinTask.inForkJoinPool() || INSIDE.get()[0] > 0) {
            for (int i = start; i < end; i++) {
                body.accept(i);
            }
            return;
        }
        int chunks = Math.min(n, workers * 4);
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                int lo = start + (int) ((long) n * c / chunks);
                int hi = start + (int) ((long) n * (c + 1) / chunks);
                for (int i = lo; i < hi; i++) {
                    body.accept(i);
                }
            }
        };
        // Each helper is claimed once: by itself when it starts, or by the caller when the caller finds it never
        // started (then the caller need not wait for a busy or descheduled worker to pick it up).
        List<ForkJoinTask<?>> helpers = new ArrayList<>(workers - 1);
        List<AtomicBoolean> claims = new ArrayList<>(workers - 1);
        for (int w = 1; w < workers; w++) {
            AtomicBoolean claim = new AtomicBoolean();
            claims.add(claim);
            helpers.add(pool.submit(() -> {
                if (claim.compareAndSet(false, true)) {
                    worker.run();
                }
            }));
        }
        Throwable failure = null;
        int[] depth = INSIDE.get();
        depth[0]++;
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(chunks);
        } finally {
            depth[0]--;
        }
        for (int h = 0; h < helpers.size(); h++) {
            if (claims.get(h).compareAndSet(false, true)) {
                continue; // never started, and now never will: all chunks are done
            }
            try {
                helpers.get(h).join();
            } catch (RuntimeException | Error e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        } else if (failure instanceof Error err) {
            throw err;
        }
    }
}
