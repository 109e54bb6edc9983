package io.ditcache.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParetoReportTest {
    @TempDir
    Path tmp;

    private static void assertChart(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(560, img.getHeight());
        long distinct = IntStream.range(0, 900 * 560).map(i -> img.getRGB(i % 900, i / 900)).distinct().count();
        assertTrue(distinct > 5, png + " looks blank");
    }

    @Test
    void writesTableComparisonsPointsAndBothPlots() throws Exception {
        ParetoSweep sweep = ParetoSweep.read(SweepFixture.writeTwoRuns(tmp.resolve("runs")));
        Path out = tmp.resolve("out");
        List<Path> written = ParetoReport.write(out, sweep, "DDIM-20 sweep");
        assertEquals(List.of("report.md", "points.csv", "pareto.png", "pareto-psnr.png"),
                written.stream().map(p -> p.getFileName().toString()).toList());
        assertChart(out.resolve("pareto.png"));
        assertChart(out.resolve("pareto-psnr.png"));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }

        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.startsWith("# DDIM-20 sweep\n"), md);
        assertTrue(md.contains("2 eval runs, 2 sample seeds, 2 router seeds"), md);
        assertTrue(md.contains("| family | point | replicas | cache usage | MACs ratio | speedup | PSNR dB | SSIM | "
                + "FID (classifier) | class consistency |"), md);
        assertTrue(md.contains("| harmonica | u35 | 4 | 35.0% ± 0.8% | 0.650 ± 0.008 | 1.53x ± 0.03x | 36.30 ± 0.26 | "
                + "0.9800 ± 0.0000 | 20.75 ± 0.24 | 88.0% ± 0.4% |"), md);
        assertTrue(md.contains("| router:custom | router:custom | 1 | 30.0% ± - | 0.700 ± - | 1.72x ± - | 38.00 ± - |"), md);
        assertTrue(md.contains("| none | none | 2 | 0.0% ± 0.0% | 1.000 ± 0.000 | 1.00x ± 0.00x | inf ± - | "), md);
        assertTrue(md.contains("## Comparisons") && md.contains("### Learned routers against each other")
                && md.contains("### Against uncached (product bar)"), md);
        assertTrue(md.contains(ParetoComparisons.routerPairs(sweep).get(0)), md);
        assertTrue(md.contains("**meets the bar**: harmonica u35"), md);

        List<String> csv = Files.readAllLines(out.resolve("points.csv"));
        assertEquals(1 + sweep.points().size(), csv.size());
        List<String> header = Arrays.asList(csv.get(0).split(","));
        String[] h = csv.stream().filter(l -> l.startsWith("harmonica,u35,")).findFirst().orElseThrow().split(",", -1);
        assertEquals(header.size(), h.length);
        assertEquals("true", h[header.indexOf("learned")]);
        assertEquals("35", h[header.indexOf("target_usage")]);
        assertEquals("4", h[header.indexOf("replicas")]);
        assertEquals(1.53, Double.parseDouble(h[header.indexOf("speedup_mean")]), 1e-9);
        assertEquals(Math.sqrt(0.17 / 3), Double.parseDouble(h[header.indexOf("fid_classifier_sd")]), 1e-9);
        assertEquals("true", h[header.indexOf("meets_uncached_bar")]);
        String[] none = csv.stream().filter(l -> l.startsWith("none,none,")).findFirst().orElseThrow().split(",", -1);
        assertEquals("Infinity", none[header.indexOf("psnr_mean")]);
        assertEquals("", none[header.indexOf("meets_uncached_bar")]);
        String[] l2c = csv.stream().filter(l -> l.startsWith("l2c,u35,")).findFirst().orElseThrow().split(",", -1);
        assertEquals("false", l2c[header.indexOf("meets_uncached_bar")]);
    }

    /** Runs evaluated without the Fashion-MNIST test set (FID NaN) still compare their learned routers. */
    @Test
    void runsWithoutFidCompareRoutersOnTheOtherMetrics() throws Exception {
        java.util.function.UnaryOperator<List<MethodResult>> noFid = rows -> rows.stream().map(r -> new MethodResult(
                r.method(), r.steps(), r.cacheUsageRatio(), r.macs(), r.macsRatio(), r.wallMs(), r.speedup(), r.psnr(),
                r.ssim(), Double.NaN, r.consistency())).toList();
        Path runs = tmp.resolve("runs");
        ParetoSweep sweep = ParetoSweep.read(List.of(
                SweepFixture.writeRun(runs.resolve("seed0"), noFid.apply(SweepFixture.run0()), 0),
                SweepFixture.writeRun(runs.resolve("seed1"), noFid.apply(SweepFixture.run1()), 1)));
        Path out = tmp.resolve("out");
        ParetoReport.write(out, sweep, "no FID");
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("pareto.png not written: no point with a finite FID"), md);
        assertTrue(md.contains("| harmonica | u35 | 4 | 35.0% ± 0.8% | 0.650 ± 0.008 | 1.53x ± 0.03x | 36.30 ± 0.26 | "
                + "0.9800 ± 0.0000 | - | 88.0% ± 0.4% |"), md);
        assertTrue(md.contains("Δ -, spread -"), md);
    }

    @Test
    void aPlotWithNothingFiniteIsSkippedAndSaidSo() throws Exception {
        double nan = Double.NaN;
        ParetoSweep sweep = ParetoSweep.of(Map.of("latent", List.of(
                SweepFixture.row("none", 0, 1, 1, Double.POSITIVE_INFINITY, 1, nan, nan),
                SweepFixture.row("fora:2", 0.5, 0.5, 1.9, 30, 0.9, nan, nan),
                SweepFixture.row("fora:3", 0.65, 0.36, 2.7, 27, 0.85, nan, nan))));
        Path out = tmp.resolve("latent");
        List<Path> written = ParetoReport.write(out, sweep, "latent");
        assertFalse(Files.exists(out.resolve("pareto.png")));
        assertTrue(written.contains(out.resolve("pareto-psnr.png")));
        assertChart(out.resolve("pareto-psnr.png"));
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("pareto.png not written: no point with a finite FID"), md);
        assertTrue(md.contains("misses: fora:2: FID not measured"), md);
    }

    @Test
    void curvesPlotRefusesWhenNothingIsDrawable() {
        ParetoCurvesPlot.Curve none = new ParetoCurvesPlot.Curve("none", List.of(new ParetoCurvesPlot.Point("none",
                MeanSd.of(1, 1), MeanSd.of(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY))));
        assertThrows(IllegalArgumentException.class, () -> ParetoCurvesPlot.render(List.of(none), "t", "PSNR", 400, 300));
    }
}
