package io.ditcache.bench;

import io.ditcache.cache.CachePlan;
import io.ditcache.cache.CacheStats;
import io.ditcache.cache.CachedDenoiser;
import io.ditcache.cache.FixedPlan;
import io.ditcache.io.AtomicFiles;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.UnitRunner;
import io.ditcache.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Does reuse cost nothing? For plans reusing 0, 25, 50 and 75% of unit executions, measures the wall-clock
 * speedup of a cached trajectory over the plain uncached forward and divides it by the MACs speedup; the bar is
 * at least 0.9. A random-weight DiT (default DiT-B/2 at 256x256: 256 tokens), batch 1 with guidance (forward batch
 * 2), a DDIM-20-like drive (spaced steps 19..0, timesteps 50*i, x fixed). Each plan reuses a random subset of
 * units at every step but the first, spread evenly so the overall ratio is as asked. Runs are interleaved per
 * repeat (baseline, then every plan), one run side by side; min and median over repeats are reported.
 *
 * <pre>bench/run-cache-speedup.sh [--model DiT-B/2] [--steps 20] [--repeats 5] [--ratios 0,0.25,0.5,0.75]
 *                             [--out bench/results/cache-speedup]</pre>
 */
public final class CacheSpeedupBench {
    private CacheSpeedupBench() {
    }

    public static void main(String[] args) throws Exception {
        String modelName = "DiT-B/2";
        int steps = 20;
        int repeats = 5;
        double[] ratios = {0, 0.25, 0.5, 0.75};
        String out = "bench/results/cache-speedup";
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--model": modelName = v; break;
                case "--steps": steps = Integer.parseInt(v); break;
                case "--repeats": repeats = Integer.parseInt(v); break;
                case "--ratios": ratios = Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray(); break;
                case "--out": out = v; break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        DiTConfig config = DiTConfig.preset(modelName);
        DiT model = DiT.random(config, 0);
        int[] labels = {207};
        float scale = 4f;
        Tensor x = Tensor.zeros(1, config.inChannels(), config.inputSize(), config.inputSize());
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < x.numel(); i++) {
            x.data()[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        List<CachePlan> plans = new ArrayList<>();
        for (double r : ratios) {
            plans.add(plan(steps, config.units(), r, 42));
        }
        System.out.printf(Locale.ROOT, "%s random weights, %d tokens, forward batch 2 (cfg), %d steps, %d repeats, %d threads%n",
                config.name(), config.tokens(), steps, repeats, Runtime.getRuntime().availableProcessors());

        final int n = steps;
        long[] baseline = new long[repeats];
        long[][] cached = new long[plans.size()][repeats];
        CacheStats[] stats = new CacheStats[plans.size()];
        uncached(model, x, labels, scale, n);
        for (CachePlan p : plans) {
            cachedRun(model, x, labels, scale, p, n);
        }
        for (int r = 0; r < repeats; r++) {
            baseline[r] = uncached(model, x, labels, scale, n);
            for (int k = 0; k < plans.size(); k++) {
                CachedDenoiser d = new CachedDenoiser(model, labels, scale, new FixedPlan(plans.get(k), "reuse " + ratios[k]), n);
                long t0 = System.nanoTime();
                drive(d, x, n);
                cached[k][r] = System.nanoTime() - t0;
                stats[k] = d.stats();
            }
            System.out.printf(Locale.ROOT, "repeat %d: uncached %.0f ms%n", r + 1, baseline[r] / 1e6);
        }

        StringBuilder md = new StringBuilder();
        StringBuilder csv = new StringBuilder("reuse_target,cache_usage_ratio,macs_speedup,wall_min_ms,wall_median_ms,"
                + "uncached_min_ms,uncached_median_ms,wall_speedup_min,wall_speedup_median,ratio_min,ratio_median\n");
        md.append(String.format(Locale.ROOT, "%s, random weights, %d tokens, batch 1 + CFG (forward batch 2), %d steps, "
                + "%d repeats (min / median), %d threads, JDK %s%n%n", config.name(), config.tokens(), steps, repeats,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        md.append("| reuse | CUR | MACs speedup | wall ms (min / med) | uncached ms (min / med) | wall speedup (min / med) | wall / MACs (min / med) |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        double bmin = min(baseline);
        double bmed = median(baseline);
        for (int k = 0; k < plans.size(); k++) {
            double cur = stats[k].cacheUsageRatio();
            double macsSpeedup = stats[k].macsSpeedup();
            double cmin = min(cached[k]);
            double cmed = median(cached[k]);
            double wmin = bmin / cmin;
            double wmed = bmed / cmed;
            md.append(String.format(Locale.ROOT, "| %.0f%% | %.3f | %.3f | %.0f / %.0f | %.0f / %.0f | %.3f / %.3f | %.3f / %.3f |%n",
                    100 * ratios[k], cur, macsSpeedup, cmin / 1e6, cmed / 1e6, bmin / 1e6, bmed / 1e6, wmin, wmed,
                    wmin / macsSpeedup, wmed / macsSpeedup));
            csv.append(String.format(Locale.ROOT, "%.2f,%.4f,%.4f,%.1f,%.1f,%.1f,%.1f,%.4f,%.4f,%.4f,%.4f%n", ratios[k], cur,
                    macsSpeedup, cmin / 1e6, cmed / 1e6, bmin / 1e6, bmed / 1e6, wmin, wmed, wmin / macsSpeedup, wmed / macsSpeedup));
        }
        md.append("\nBar: wall / MACs >= 0.9 (the reuse itself costs almost nothing).\n");
        System.out.print(md);
        write(Path.of(out + ".md"), md.toString());
        write(Path.of(out + ".csv"), csv.toString());
    }

    /**
     * Reuses round(ratio * steps * units) unit executions, none at the first step, spread as evenly as possible
     * over the other steps, each step a random subset of units.
     */
    static CachePlan plan(int steps, int units, double ratio, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long target = Math.round(ratio * steps * units);
        if (target > (long) (steps - 1) * units) {
            throw new IllegalArgumentException("cannot reuse " + ratio + " of units: the first step computes all");
        }
        boolean[][] compute = new boolean[steps][units];
        for (int s = steps - 1, k = 0; s >= 0; s--, k++) {
            Arrays.fill(compute[s], true);
            if (s == steps - 1) {
                continue;
            }
            long before = target * (k - 1) / (steps - 1);
            long upTo = target * k / (steps - 1);
            int reuse = (int) (upTo - before);
            int[] order = permutation(units, rng);
            for (int i = 0; i < reuse; i++) {
                compute[s][order[i]] = false;
            }
        }
        return CachePlan.of(compute);
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static long uncached(DiT model, Tensor x, int[] labels, float scale, int steps) {
        long t0 = System.nanoTime();
        for (int step = steps - 1; step >= 0; step--) {
            model.forwardWithCfg(x, new float[]{timestep(step, steps)}, labels, scale, UnitRunner.COMPUTE_ALL);
        }
        return System.nanoTime() - t0;
    }

    private static void cachedRun(DiT model, Tensor x, int[] labels, float scale, CachePlan plan, int steps) {
        drive(new CachedDenoiser(model, labels, scale, new FixedPlan(plan, "warm-up"), steps), x, steps);
    }

    private static void drive(CachedDenoiser d, Tensor x, int steps) {
        for (int step = steps - 1; step >= 0; step--) {
            d.predict(x, step, timestep(step, steps));
        }
    }

    private static int timestep(int step, int steps) {
        return step * (1000 / steps);
    }

    private static double min(long[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    private static void write(Path file, String text) throws java.io.IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }
}
