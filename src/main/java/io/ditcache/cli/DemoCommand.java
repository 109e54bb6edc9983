package io.ditcache.cli;

import io.ditcache.Cache;
import io.ditcache.Method;
import io.ditcache.Models;
import io.ditcache.Pipeline;
import io.ditcache.SamplerSettings;
import io.ditcache.cache.CacheStats;
import io.ditcache.cache.NoCache;
import io.ditcache.eval.Evaluation;
import io.ditcache.eval.ImageGrid;
import io.ditcache.eval.Judges;
import io.ditcache.eval.MethodResult;
import io.ditcache.eval.SampleJudge;
import io.ditcache.model.DiTConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ditcache demo}: the main job on the embedded model, cached against uncached, in about ten seconds on 2 cores. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job: the embedded model, uncached vs. its learned cache router.",
                "Samples one Fashion-MNIST image per class with the embedded DiT, uncached and with its learned "
                        + "HarmoniCa router (DDIM-20, cfg 1.5), from the same noise; writes them side by side and prints the "
                        + "measured wall-clock speedup, cache usage ratio, PSNR/SSIM against uncached and class consistency. "
                        + "Writes one file, --out (demo.png in the current directory unless given), and says where."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo.png", description = "Side-by-side PNG. Default: ${DEFAULT-VALUE} in the"
            + " current directory.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Noise seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--method", defaultValue = "harmonica", description = "Shipped router: harmonica | l2c. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs of each, alternating (the fastest of each counts). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Mixin
    ThreadOptions threads = new ThreadOptions();

    @Override
    public Integer call() throws Exception {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1, got " + repeats);
        }
        if (!method.equals("harmonica") && !method.equals("l2c")) {
            throw new IllegalArgumentException("--method must be harmonica or l2c, got '" + method + "'");
        }
        Preflight.outputFile("--out", out);
        threads.apply();
        long t0 = System.nanoTime();
        System.out.println("demo: writes its side-by-side image to " + out.toAbsolutePath().normalize()
                + (out.equals(Path.of("demo.png")) ? " (the current directory; --out to change)" : ""));
        System.out.println("loading the embedded model ...");
        // The embedded model's own settings (ddim+clip, 20 steps, cfg 1.5), as its routers were trained.
        Pipeline pipe = Pipeline.load(Models.EMBEDDED).cache(Cache.router(method));
        DiTConfig c = pipe.model().config();
        SamplerSettings s = pipe.settings();
        int n = c.numClasses();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i;
        }
        Evaluation.Setup setup = new Evaluation.Setup(pipe, seed, labels, Pipeline.noise(c, n, seed), n);
        Evaluation.Run base = null;
        Evaluation.Run fast = null;
        try (Progress bar = new Progress("demo", 1 + 2L * repeats, "run")) {
            Evaluation.warmUp(setup);
            bar.stepTo(1, "warm-up done");
            for (int r = 0; r < repeats; r++) {
                Evaluation.Run b = Evaluation.run(setup, "uncached", Method.of(new NoCache()), null);
                bar.stepTo(2 + 2L * r, "uncached");
                Evaluation.Run f = Evaluation.run(setup, method + " router", Method.of(pipe.cache()), null);
                bar.stepTo(3 + 2L * r, method);
                base = base == null || b.wallMs() < base.wallMs() ? b : base;
                fast = fast == null || f.wallMs() < fast.wallMs() ? f : fast;
            }
        }
        SampleJudge judge = Judges.forModel(c);
        MethodResult u = Evaluation.judge(base, base, labels, judge, null);
        MethodResult m = Evaluation.judge(fast, base, labels, judge, null);
        ImageGrid.writePng(ImageGrid.sideBySide(ImageGrid.render(base.samples(), 5, 3), "uncached",
                ImageGrid.render(fast.samples(), 5, 3), method + " cached"), out);
        System.out.printf(Locale.ROOT, "%s, %d steps, cfg %.1f, one sample per class, seed %d%n", s.sampler(), s.steps(),
                s.cfg(), seed);
        System.out.printf(Locale.ROOT, "uncached: %.0f ms; %s router: %.0f ms -> wall-clock speedup %.2fx (%s)%n",
                base.wallMs(), method, fast.wallMs(), base.wallMs() / fast.wallMs(),
                CacheStats.describeMacs(fast.macs(), base.macs()));
        System.out.printf(Locale.ROOT, "cache usage ratio %.1f%% of unit executions reused%n", 100 * m.cacheUsageRatio());
        System.out.printf(Locale.ROOT, "cached vs uncached: PSNR %.2f dB, SSIM %.4f%n", m.psnr(), m.ssim());
        System.out.printf(Locale.ROOT, "class consistency (classifier trained here): uncached %.0f%%, cached %.0f%%%n",
                100 * u.consistency(), 100 * m.consistency());
        System.out.println("side by side -> " + out.toAbsolutePath().normalize());
        System.out.printf(Locale.ROOT, "demo took %.1f s in all (model loading, warm-up and %d timed runs of each)%n",
                (System.nanoTime() - t0) / 1e9, repeats);
        return 0;
    }
}
