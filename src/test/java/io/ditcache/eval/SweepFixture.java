package io.ditcache.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Two synthetic eval runs (sample seeds 0 and 1) with known numbers, written as report.csv by {@link EvalReport}.
 * Learned routers harmonica and l2c at u35 with router seeds 0 and 1 (4 replicas each), harmonica-cumulative at u50
 * with seed 0 only (2 replicas), a router outside the naming convention in run 0 only (1 replica), and the baselines
 * none, fewer:14, fewer:10, fora:2, fora:3 (2 replicas each).
 */
public final class SweepFixture {
    private SweepFixture() {
    }

    /** A row with the metrics the sweep aggregates; steps, MACs and wall time are filler. */
    public static MethodResult row(String method, double usage, double macsRatio, double speedup, double psnr, double ssim,
                                   double fid, double consistency) {
        return new MethodResult(method, 20, usage, Math.round(1e9 * macsRatio), macsRatio, 1000 / speedup, speedup, psnr,
                ssim, fid, consistency);
    }

    static final double INF = Double.POSITIVE_INFINITY;

    public static List<MethodResult> run0() {
        return List.of(
                row("none", 0, 1, 1, INF, 1, 20.0, 0.88),
                row("fewer:14", 0, 0.7, 1.40, 40.0, 0.99, 21.0, 0.875),
                row("fewer:10", 0, 0.5, 2.00, 30.0, 0.95, 24.0, 0.87),
                row("fora:2", 0.5, 0.5, 1.90, 34.0, 0.97, 21.5, 0.88),
                row("fora:3", 0.65, 0.36, 2.70, 28.0, 0.92, 27.0, 0.89),
                row("router:harmonica-u35-s0", 0.34, 0.66, 1.50, 36.0, 0.98, 20.5, 0.88),
                row("router:harmonica-u35-s1", 0.36, 0.64, 1.54, 36.4, 0.98, 20.9, 0.875),
                row("router:l2c-u35-s0", 0.35, 0.65, 1.52, 33.0, 0.96, 21.0, 0.86),
                row("router:l2c-u35-s1", 0.35, 0.65, 1.50, 33.4, 0.96, 21.4, 0.86),
                row("router:harmonica-cumulative-u50-s0", 0.5, 0.5, 2.30, 31.0, 0.94, 23.0, 0.87),
                row("router:custom", 0.3, 0.7, 1.72, 38.0, 0.985, 20.2, 0.88));
    }

    public static List<MethodResult> run1() {
        return List.of(
                row("none", 0, 1, 1, INF, 1, 20.4, 0.89),
                row("fewer:14", 0, 0.7, 1.44, 40.2, 0.99, 21.2, 0.875),
                row("fewer:10", 0, 0.5, 2.04, 30.4, 0.95, 24.4, 0.87),
                row("fora:2", 0.5, 0.5, 1.94, 34.4, 0.97, 21.9, 0.88),
                row("fora:3", 0.65, 0.36, 2.74, 28.4, 0.92, 27.4, 0.89),
                row("router:harmonica-u35-s0", 0.35, 0.65, 1.52, 36.2, 0.98, 21.0, 0.885),
                row("router:harmonica-u35-s1", 0.35, 0.65, 1.56, 36.6, 0.98, 20.6, 0.88),
                row("router:l2c-u35-s0", 0.35, 0.65, 1.54, 33.2, 0.96, 20.8, 0.86),
                row("router:l2c-u35-s1", 0.35, 0.65, 1.52, 33.6, 0.96, 20.6, 0.86),
                row("router:harmonica-cumulative-u50-s0", 0.5, 0.5, 2.34, 31.4, 0.94, 23.2, 0.87));
    }

    /** Writes DIR/report.csv of a run of sample seed {@code seed}. */
    public static Path writeRun(Path dir, List<MethodResult> rows, long seed) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.csv"), ReportCsv.format(rows, seed));
        return dir;
    }

    /** The two runs under {@code root}/seed0 and {@code root}/seed1 (sample seeds 0 and 1). */
    public static List<Path> writeTwoRuns(Path root) throws IOException {
        return List.of(writeRun(root.resolve("seed0"), run0(), 0), writeRun(root.resolve("seed1"), run1(), 1));
    }
}
