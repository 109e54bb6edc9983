package io.ditcache.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_full;

/**
 * GEMM settings side by side in one JVM: {@code C[M,N] = A[M,K] * W^T} with a packed weight for each setting
 * (tile, KC, MC, NC) and, as {@code openblas}, one {@code cblas_sgemm}, their time slices alternating round by round
 * ({@link Slices}). Not a test; see bench/run-gemm-settings.sh.
 *
 * <p>Arguments: {@code ROUNDS SLICE_MS THREADS SETTINGS SHAPE...}; SETTINGS is a comma-separated list of
 * {@code TILE[:KC[:MC[:NC]]][/inplace|/packed]} (omitted sizes are this JVM's defaults; the suffix forces how A is
 * read, else {@link Gemm} decides) or {@code openblas} (OPENBLAS_NUM_THREADS
 * threads); a SHAPE is {@code MxKxN}. Prints, per shape, each setting's median GFLOP/s over the rounds, its range,
 * and its ratio to the first setting's median. After an OpenBLAS slice it sleeps 100 ms: OpenBLAS's threads spin
 * for a while after a call and would slow down whatever runs next.
 */
public final class GemmSettingsProbe {
    private GemmSettingsProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        Slices.Args parsed = Slices.Args.of(args);
        int rounds = parsed.rounds();
        String[] settings = parsed.settings();
        GemmConfig defaults = GemmConfig.defaults();
        System.out.println("defaults: " + defaults.describe());
        for (String shape : parsed.shapes()) {
            String[] s = shape.split("x");
            int m = Integer.parseInt(s[0]);
            int k = Integer.parseInt(s[1]);
            int n = Integer.parseInt(s[2]);
            Random r = new Random(1);
            float[] a = new float[m * k];
            float[] b = new float[n * k];
            float[] c = new float[m * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextFloat() - .5f;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextFloat() - .5f;
            }
            List<Runnable> runs = new ArrayList<>();
            for (String setting : settings) {
                if (setting.equals("openblas")) {
                    FloatPointer fa = new FloatPointer(a);
                    FloatPointer fb = new FloatPointer(b);
                    FloatPointer fc = new FloatPointer(c);
                    runs.add(() -> openblas_full.cblas_sgemm(openblas_full.CblasRowMajor, openblas_full.CblasNoTrans,
                            openblas_full.CblasTrans, m, n, k, 1f, fa, k, fb, k, 0f, fc, n));
                    continue;
                }
                String[] path = setting.split("/");
                String[] spec = path[0].split(":");
                GemmKernel kernel = GemmKernel.of(spec[0]);
                if (kernel == null) {
                    throw new IllegalArgumentException("no tile " + spec[0] + "; there are " + GemmKernel.TILES);
                }
                int kc = spec.length > 1 ? Integer.parseInt(spec[1]) : defaults.kc();
                int mc = spec.length > 2 ? Integer.parseInt(spec[2]) : defaults.mc();
                int nc = spec.length > 3 ? Integer.parseInt(spec[3]) : defaults.nc();
                PackedWeight w = PackedWeight.of(new GemmConfig(kernel, kc, mc, nc, "probe"), b, n, k);
                if (path.length > 1 && !path[1].equals("inplace") && !path[1].equals("packed")) {
                    throw new IllegalArgumentException("no A path " + path[1] + "; there are inplace, packed");
                }
                boolean inPlace = path.length > 1 ? path[1].equals("inplace") : Gemm.readsAInPlace(w.config(), n);
                runs.add(() -> Gemm.matmul(a, 0, w, c, 0, m, false, inPlace));
            }
            double[][] gflops = Slices.secondsPerCall(runs, rounds, parsed.sliceNs(),
                    t -> settings[t].equals("openblas"));
            for (double[] setting : gflops) {
                for (int round = 0; round < rounds; round++) {
                    setting[round] = 2.0 * m * n * k / setting[round] / 1e9;
                }
            }
            double first = Slices.median(gflops[0]);
            StringBuilder line = new StringBuilder(String.format("| %d x %d -> %d |", m, k, n));
            for (int t = 0; t < settings.length; t++) {
                Arrays.sort(gflops[t]);
                double median = Slices.median(gflops[t]);
                line.append(String.format(" %.1f (%.1f-%.1f) %.2f |", median, gflops[t][0], gflops[t][rounds - 1],
                        median / first));
            }
            System.out.println(line);
        }
    }
}
