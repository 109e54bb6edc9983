package io.ditcache.bench;

import io.ditcache.tensor.Gemm;
import io.ditcache.tensor.PackedWeight;
import io.ditcache.tensor.Parallel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_full;
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * C[M,N] = A[M,K] * B[N,K]^T (PyTorch Linear layout) at DiT-XL/2 shapes, ours against EJML and OpenBLAS.
 * Each implementation uses {@code threads} threads. GFLOP/s = 2*M*N*K / time; see bench/run-gemm.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class GemmBenchmark {
    /** M x K -> N. */
    @Param({"512x1152x1152", "512x1152x4608", "512x4608x1152", "256x1152x3456"})
    public String shape;

    @Param({"ours", "ours_packed", "ejml", "ejml_mt", "openblas"})
    public String impl;

    @Param({"2"})
    public int threads;

    private int m;
    private int k;
    private int n;
    private float[] a;
    private float[] b;
    private float[] c;
    private FMatrixRMaj ea;
    private FMatrixRMaj eb;
    private FMatrixRMaj ec;
    private FloatPointer pa;
    private FloatPointer pb;
    private FloatPointer pc;
    private PackedWeight packed;

    @Setup(Level.Trial)
    public void setup() {
        String[] s = shape.split("x");
        m = Integer.parseInt(s[0]);
        k = Integer.parseInt(s[1]);
        n = Integer.parseInt(s[2]);
        Random rng = new Random(42);
        a = new float[m * k];
        b = new float[n * k];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rng.nextFloat() - 0.5f;
        }
        switch (impl) {
            case "ours":
            case "ours_packed":
                Parallel.setThreads(threads);
                packed = impl.equals("ours_packed") ? PackedWeight.of(b, n, k) : null;
                System.out.println("gemm: " + Gemm.settings());
                break;
            case "ejml":
            case "ejml_mt":
                EjmlConcurrency.setMaxThreads(threads);
                ea = FMatrixRMaj.wrap(m, k, a);
                eb = FMatrixRMaj.wrap(n, k, b);
                ec = FMatrixRMaj.wrap(m, n, c);
                break;
            case "openblas":
                openblas_full.openblas_set_num_threads(threads);
                pa = new FloatPointer(a);
                pb = new FloatPointer(b);
                pc = new FloatPointer(c);
                System.out.println("OpenBLAS core: " + openblas_full.openblas_get_corename().getString()
                        + ", config: " + openblas_full.openblas_get_config().getString()
                        + ", threads: " + openblas_full.openblas_get_num_threads());
                break;
            default:
                throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pa != null) {
            pa.close();
            pb.close();
            pc.close();
        }
    }

    @Benchmark
    public Object multTransB() {
        switch (impl) {
            case "ours":
                Gemm.matmul(a, 0, b, 0, c, 0, m, n, k, false, true, false);
                return c;
            case "ours_packed":
                Gemm.matmul(a, 0, packed, c, 0, m, false);
                return c;
            case "ejml":
                return CommonOps_FDRM.multTransB(ea, eb, ec);
            case "ejml_mt":
                return CommonOps_MT_FDRM.multTransB(ea, eb, ec);
            default:
                openblas_full.cblas_sgemm(openblas_full.CblasRowMajor, openblas_full.CblasNoTrans,
                        openblas_full.CblasTrans, m, n, k, 1f, pa, k, pb, k, 0f, pc, n);
                return pc;
        }
    }
}
