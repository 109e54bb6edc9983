package io.ditcache.nn;

import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.GemmBackend;
import io.ditcache.tensor.Ops;
import io.ditcache.tensor.PackedWeight;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.WeightPrecision;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Runs the forward pass's vector kernels on small inputs, once per JVM, until the JIT has compiled them, so that a
 * model's first big calls do not run them uncompiled: the interpreter and C1 do not intrinsify the Vector API, so
 * there every vector operation allocates its result, and the first GEMMs, softmaxes and GELUs of a DiT-XL/2 forward
 * left 1-2 GB of such garbage, which the young generation grew to hold (peak RSS). A kernel counts as compiled once
 * a call allocates (almost) nothing: the kernels take turns until each does, or until {@link #BUDGET_NANOS}.
 */
public final class Warmup {
    /**
     * {@code -Dditcache.warmup=shapes}, the default, warms on a block of the model's own shape ({@code model.ShapeWarmup})
     * before a model of at least 1 G MACs loads: the DiT-XL/2 sample's peak RSS 3.26-3.42 GB (fp32) and 1.87-2.00 GB (bf16)
     * against 3.70-3.95 and 2.58-3.52 without, the forward as fast (bench/results/warmup-ab-2026-12-04-2215.md).
     * {@code =true} runs this warm-up on small inputs instead (it left the XL forward 5-25% slower:
     * warmup-ab-2026-12-03-0725.md), {@code =false} none.
     */
    public static final String PROPERTY = "ditcache.warmup";
    /** Bytes a warm call may still allocate (task lambdas, small per-call arrays); an uncompiled one takes >= 20 KB. */
    private static final long WARM_BYTES = 2048;
    /** Calls in a row that must stay under {@link #WARM_BYTES}. */
    private static final int WARM_CALLS = 8;
    /**
     * Gives up after this long: under {@code -Xint}, or when the JIT compiled a kernel that still boxes its vectors
     * (seen now and then on JDK 17). It took 2-3 s on 2 cores busy with other work, 4.7 s at a load average of 11.
     */
    private static final long BUDGET_NANOS = 10_000_000_000L;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** {@link #PROPERTY}'s value that warms on a one-block model of the real shape instead (model.ShapeWarmup). */
    public static final String SHAPES = "shapes";
    private static final String MODE = System.getProperty(PROPERTY, SHAPES);
    private static boolean done = !(MODE.equals("true") || MODE.equals(SHAPES));

    private Warmup() {
    }

    /** {@link #PROPERTY}'s value in this JVM, {@link #SHAPES} unless set. */
    static String mode() {
        return MODE;
    }

    /**
     * Whether a warm-up has work to do: switched on by {@link #PROPERTY} (either kind, {@link #claimShapes} tells
     * which) and not run yet in this JVM.
     */
    public static synchronized boolean pending() {
        return !done;
    }

    /**
     * Whether {@link #PROPERTY} asks for the warm-up on the model's own shapes and it has not run yet in this JVM;
     * true once only (the caller then runs it), and {@link #kernels} has nothing left to do.
     */
    public static synchronized boolean claimShapes() {
        if (done || !MODE.equals(SHAPES)) {
            return false;
        }
        done = true;
        return true;
    }

    /**
     * Warms the kernels if this JVM has not yet, on the calling thread alone (a few seconds); returns the kernels
     * still allocating when it gave up (0: all warm).
     */
    public static synchronized int kernels() {
        if (done) {
            return 0;
        }
        done = true;
        int left = Parallel.withThreads(1, Warmup::run);
        // The uncompiled calls left up to 0.6 GB of garbage, in young regions that would stay resident beside the
        // model: a full collection of the still small heap (tens of ms) lets the JVM uncommit them.
        System.gc();
        return left;
    }

    /** The warm-up itself, whatever {@link #PROPERTY} says (tests); returns the kernels still allocating. */
    static int run() {
        return run(forwardKernels(), WARM_BYTES, WARM_CALLS, BUDGET_NANOS);
    }

    /** The kernels {@link #run()} warms: those of this JVM's GEMM backend. */
    static List<IntConsumer> forwardKernels() {
        return kernels(GemmBackend.JAVA.equals(GemmBackend.name()));
    }

    /**
     * Calls the kernels in turn on the calling thread, by call number, until each has allocated at most
     * {@code warmBytes} in {@code warmCalls} calls in a row or {@code budgetNanos} have passed; returns how many
     * never got there.
     */
    public static int run(List<IntConsumer> kernels, long warmBytes, int warmCalls, long budgetNanos) {
        int[] warmFor = new int[kernels.size()];
        int left = kernels.size();
        long deadline = System.nanoTime() + budgetNanos;
        for (int call = 0; left > 0 && System.nanoTime() < deadline; call++) {
            for (int i = 0; i < kernels.size(); i++) {
                if (warmFor[i] >= warmCalls) {
                    continue;
                }
                long before = THREADS.getCurrentThreadAllocatedBytes();
                kernels.get(i).accept(call);
                warmFor[i] = THREADS.getCurrentThreadAllocatedBytes() - before <= warmBytes ? warmFor[i] + 1 : 0;
                if (warmFor[i] == warmCalls) {
                    left--;
                }
            }
        }
        return left;
    }

    /**
     * One small call of each kernel a DiT forward runs, through the public entry points, by call number. Shapes: 288
     * outputs are more than 8 panels for either register tile (the blocked GEMM), 64 at most 8 (A read in place);
     * 24 or 25 rows (whole strips of either tile, or a last strip of one row) and 1 to 4 (the skinny GEMM), so that
     * the compiled kernels have seen every row count a model's calls bring and are not recompiled then. Loops run
     * 64 or more times (k = 64, rows of 512): C2 unrolls a loop only as far as its profiled trip count allows, and
     * with k = 8 the fp32 DiT-XL/2 forward ran 10-25% slower (bench/results/warmup-ab-2026-12-03-0709.md).
     */
    private static List<IntConsumer> kernels(boolean javaGemm) {
        int k = 64;
        int wide = 288;
        int narrow = 64;
        int rows = 25;
        float[] a = values(rows * wide);
        float[] b = values(wide * k);
        float[] c = new float[rows * wide];
        float[] x = values(rows * wide);
        float[] y = new float[rows * wide];
        int d = 512;
        float[] mod = values(2 * 6 * d);
        List<IntConsumer> kernels = new ArrayList<>();
        if (javaGemm) {
            for (WeightPrecision p : WeightPrecision.values()) {
                PackedWeight blocked = PackedWeight.of(values(wide * k), wide, k, p);
                PackedWeight inPlace = PackedWeight.of(values(narrow * k), narrow, k, p);
                kernels.add(i -> Gemm.matmul(a, 0, blocked, c, 0, rows - i % 2, i % 4 > 1));
                kernels.add(i -> Gemm.matmul(a, 0, inPlace, c, 0, rows - i % 2, i % 4 > 1));
                kernels.add(i -> Gemm.matmul(a, 0, blocked, c, 0, 1 + i % 4, i % 8 > 3));
            }
        }
        kernels.add(i -> Gemm.matmul(a, 0, b, 0, c, 0, rows - i % 2, wide, k, false, true, false));
        kernels.add(i -> Gemm.matmul(a, 0, b, 0, c, 0, rows - i % 2, narrow, k, false, false, false));
        kernels.add(i -> Gemm.matmul(a, 0, b, 0, c, 0, 1 + i % 4, wide, k, false, true, false));
        kernels.add(i -> Ops.addRowBias(c, 2, d, x));
        kernels.add(i -> {
            System.arraycopy(x, 0, y, 0, d);
            Ops.softmaxRows(y, 0, 2, d / 2, 0.125f);
        });
        kernels.add(i -> GeluTanh.forward(x, y, d));
        kernels.add(i -> Silu.forward(x, y, d));
        kernels.add(i -> LayerNorm.forward(x, y, 2, d));
        kernels.add(i -> Modulate.forward(x, y, 2, 1, d, mod, 6 * d, 0, d));
        kernels.add(i -> GatedResidual.forward(y, x, 2, 1, d, mod, 6 * d, 2 * d));
        return kernels;
    }

    /** Small fixed values in [-1, 1). */
    private static float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = ((i * 37 + 11) % 64) / 32f - 1f;
        }
        return v;
    }
}
