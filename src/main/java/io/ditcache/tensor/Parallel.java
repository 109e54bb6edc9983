package io.ditcache.tensor;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * A tiny parallel-for over fixed helper threads, in the spirit of llama3.java and OpenMP's active wait policy.
 *
 * <p>Thread counts: the process-wide count ({@link #threads()}) comes from {@code -Dditcache.threads=N} or the
 * environment variable {@code DITCACHE_THREADS}, defaulting to the number of available processors, and
 * {@link #setThreads} changes it for every thread that is not inside {@link #withThreads}. {@link #withThreads}
 * runs a body with its own count on the calling thread alone (what {@code io.ditcache.Pipeline#threads} does): its
 * regions use a team of that size, shared by every caller asking for the same size and kept for the life of the
 * process, and other threads' counts are untouched. Results do not depend on the count (kernels split work, never
 * a sum). Nested regions run on the calling thread.
 *
 * <p>A forward pass is hundreds of short parallel regions. Helpers therefore spin (with {@link Thread#onSpinWait})
 * for a while after each region before parking: waking a parked thread took 100 us and more on the machines we
 * measured, longer than many regions. The spin is {@code -Dditcache.spinMicros} (default 1000; 0 parks at once,
 * kinder to other processes on a busy machine).
 */
public final class Parallel {
    private static final long SPIN_NANOS = 1000L * Long.getLong("ditcache.spinMicros", 1000L);
    private static volatile int threads = defaultThreads();
    /** Nesting depth of parallel regions on the calling thread: nested regions run serially. */
    private static final ThreadLocal<int[]> INSIDE = ThreadLocal.withInitial(() -> new int[1]);
    private static volatile Team team = new Team(threads - 1);
    /** The teams of {@link #withThreads}, by thread count, made on first use. */
    private static final ConcurrentHashMap<Integer, Team> SCOPED = new ConcurrentHashMap<>();
    /** The team of the calling thread's innermost {@link #withThreads}, else null (the process-wide team). */
    private static final ThreadLocal<Team> HERE = new ThreadLocal<>();

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
                // fall through to the error
            }
            throw new IllegalArgumentException("ditcache.threads / DITCACHE_THREADS must be a positive integer, got '" + p + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The process-wide number of worker threads (what threads outside {@link #withThreads} split work over). */
    public static int threads() {
        return threads;
    }

    /**
     * Threads a {@link #parallelFor} started from the current thread would use: 1 inside a region (nested loops run
     * inline), else the count of the innermost {@link #withThreads}, else {@link #threads()}. Kernels size their task
     * split with it.
     */
    public static int threadsHere() {
        return INSIDE.get()[0] > 0 ? 1 : teamHere().threads();
    }

    /**
     * Runs {@code body} on the calling thread with its parallel regions on {@code threads} threads (the caller and
     * {@code threads - 1} helpers), whatever the process-wide count; other threads are not affected.
     */
    public static <T> T withThreads(int threads, Supplier<T> body) {
        checkThreads(threads);
        Team outer = HERE.get();
        HERE.set(SCOPED.computeIfAbsent(threads, n -> new Team(n - 1)));
        try {
            return body.get();
        } finally {
            if (outer == null) {
                HERE.remove();
            } else {
                HERE.set(outer);
            }
        }
    }

    private static Team teamHere() {
        Team t = HERE.get();
        return t != null ? t : team;
    }

    private static void checkThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /** Replaces the process-wide helper threads (the CLI's {@code --threads}; benchmarks that compare counts). */
    public static synchronized void setThreads(int threads) {
        checkThreads(threads);
        Team old = team;
        team = new Team(threads - 1);
        Parallel.threads = threads;
        old.shutdown();
    }

    /**
     * Runs {@code body.accept(i)} for every i in [start, end). The range is cut into a few chunks per thread; the
     * calling thread and the helpers take chunks from a shared counter until none is left, so the caller never idles
     * while helpers work and a helper that arrives late finds nothing left instead of delaying the region.
     * Returns when every index has finished; the first exception thrown by a body is rethrown.
     */
    public static void parallelFor(int start, int end, IntConsumer body) {
        int n = end - start;
        if (n <= 0) {
            return;
        }
        int[] depth = INSIDE.get();
        Team t = teamHere();
        int workers = Math.min(t.threads(), n);
        if (workers == 1 || depth[0] > 0) {
            for (int i = start; i < end; i++) {
                body.accept(i);
            }
            return;
        }
        Job job = new Job(start, n, Math.min(n, workers * 4), body);
        t.publish(job);
        depth[0]++;
        try {
            job.work();
        } finally {
            depth[0]--;
            job.close();
        }
        job.rethrow();
    }

    /** One region: chunks claimed from a counter; helpers enter while it is open, and the caller waits for them. */
    private static final class Job {
        private static final int CLOSED = 1 << 30;
        private final int start;
        private final int n;
        private final int chunks;
        private final IntConsumer body;
        private final AtomicInteger next = new AtomicInteger();
        /** Helpers inside (low bits) and the CLOSED flag. */
        private final AtomicInteger state = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int start, int n, int chunks, IntConsumer body) {
            this.start = start;
            this.n = n;
            this.chunks = chunks;
            this.body = body;
        }

        void work() {
            try {
                for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                    int lo = start + (int) ((long) n * c / chunks);
                    int hi = start + (int) ((long) n * (c + 1) / chunks);
                    for (int i = lo; i < hi; i++) {
                        body.accept(i);
                    }
                }
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
                next.set(chunks);
            }
        }

        /** A helper joins unless the caller already closed the job. */
        boolean enter() {
            for (int s = state.get(); (s & CLOSED) == 0; s = state.get()) {
                if (state.compareAndSet(s, s + 1)) {
                    return true;
                }
            }
            return false;
        }

        void exit() {
            state.decrementAndGet();
        }

        /** Called by the caller once no chunk is left: no helper enters after this; waits for those inside. */
        void close() {
            state.getAndAdd(CLOSED);
            while (state.get() != CLOSED) {
                Thread.onSpinWait();
            }
        }

        void rethrow() {
            Throwable f = failure.get();
            if (f instanceof RuntimeException re) {
                throw re;
            } else if (f instanceof Error err) {
                throw err;
            }
        }
    }

    /** The helper threads: each spins for new jobs for {@link #SPIN_NANOS}, then parks until one is published. */
    private static final class Team {
        private final Thread[] helpers;
        private final AtomicIntegerArray parked;
        private volatile Job current;
        private volatile boolean shutdown;

        Team(int size) {
            helpers = new Thread[size];
            parked = new AtomicIntegerArray(size);
            for (int h = 0; h < size; h++) {
                int id = h;
                Thread t = new Thread(() -> run(id), "ditcache-worker-" + h);
                t.setDaemon(true);
                helpers[h] = t;
                t.start();
            }
        }

        /** The threads a region on this team runs on: the caller and the helpers. */
        int threads() {
            return helpers.length + 1;
        }

        void publish(Job job) {
            current = job;
            for (int h = 0; h < helpers.length; h++) {
                if (parked.get(h) != 0) {
                    LockSupport.unpark(helpers[h]);
                }
            }
        }

        void shutdown() {
            shutdown = true;
            for (Thread t : helpers) {
                LockSupport.unpark(t);
            }
        }

        private void run(int id) {
            INSIDE.get()[0] = 1;
            Job seen = null;
            while (!shutdown) {
                Job job = current;
                if (job == seen) {
                    job = await(id, seen);
                    if (job == null) {
                        continue;
                    }
                }
                seen = job;
                if (job.enter()) {
                    try {
                        job.work();
                    } finally {
                        job.exit();
                    }
                }
            }
        }

        /** Spins, then parks, until a job other than {@code seen} is published; null on shutdown or wake-up. */
        private Job await(int id, Job seen) {
            long until = System.nanoTime() + SPIN_NANOS;
            while (System.nanoTime() < until) {
                Job job = current;
                if (job != seen || shutdown) {
                    return job == seen ? null : job;
                }
                Thread.onSpinWait();
            }
            parked.set(id, 1);
            try {
                Job job = current;
                if (job != seen || shutdown) {
                    return job == seen ? null : job;
                }
                LockSupport.park(this);
                return null;
            } finally {
                parked.set(id, 0);
            }
        }
    }
}
