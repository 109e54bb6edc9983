package io.ditcache.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParetoSweepTest {
    @TempDir
    Path tmp;

    /** Sample sd, written out here rather than taken from MeanSd. */
    private static double sampleSd(double... v) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss / (v.length - 1));
    }

    private static SweepPoint point(ParetoSweep s, String family, String point) {
        return s.points().stream().filter(p -> p.family().equals(family) && p.point().equals(point)).findFirst()
                .orElseThrow(() -> new AssertionError("no point " + family + " " + point + " in " + s.points()));
    }

    @Test
    void groupsRowsIntoFamilyCurvesAndOperatingPoints() throws Exception {
        ParetoSweep s = ParetoSweep.read(SweepFixture.writeTwoRuns(tmp));
        assertEquals(List.of("none", "fewer", "fora", "harmonica", "l2c", "harmonica-cumulative", "router:custom"),
                s.curves().stream().map(ParetoSweep.Curve::family).toList());
        assertEquals(List.of(false, false, false, true, true, true, true),
                s.curves().stream().map(ParetoSweep.Curve::learned).toList());
        // Points on a curve go by mean speedup: fewer:14 (1.42x) before fewer:10 (2.02x).
        assertEquals(List.of("fewer:14", "fewer:10"),
                s.baseline("fewer").orElseThrow().points().stream().map(SweepPoint::point).toList());
        assertEquals(2, s.sampleSeeds());
        assertEquals(2, s.routerSeeds());

        SweepPoint h = point(s, "harmonica", "u35");
        assertEquals(4, h.replicas(), "2 runs x 2 router seeds");
        assertEquals(2, h.sampleSeeds());
        assertEquals(2, h.routerSeeds());
        assertEquals(35, h.targetUsage());
        assertTrue(h.learned());
        SweepPoint cumulative = point(s, "harmonica-cumulative", "u50");
        assertEquals(2, cumulative.replicas());
        assertEquals(1, cumulative.routerSeeds());
        SweepPoint custom = point(s, "router:custom", "router:custom");
        assertEquals(1, custom.replicas(), "only in run 0");
        assertEquals(-1, custom.targetUsage());
        assertEquals(0, custom.routerSeeds());
        SweepPoint fora2 = point(s, "fora", "fora:2");
        assertEquals(2, fora2.replicas());
        assertEquals(0, fora2.routerSeeds());
        assertFalse(fora2.learned());
        assertTrue(s.uncached().orElseThrow().uncached());
    }

    @Test
    void pointsCarryMeanAndSampleSdOfTheirReplicas() throws Exception {
        ParetoSweep s = ParetoSweep.read(SweepFixture.writeTwoRuns(tmp));
        SweepPoint h = point(s, "harmonica", "u35");
        // Replicas: (run 0, s0), (run 0, s1), (run 1, s0), (run 1, s1).
        assertEquals(1.53, h.mean(SweepMetric.SPEEDUP), 1e-9);
        assertEquals(Math.sqrt(0.002 / 3), h.get(SweepMetric.SPEEDUP).sd(), 1e-9);
        assertEquals(sampleSd(1.50, 1.54, 1.52, 1.56), h.get(SweepMetric.SPEEDUP).sd(), 1e-9);
        assertEquals(36.3, h.mean(SweepMetric.PSNR), 1e-9);
        assertEquals(Math.sqrt(0.2 / 3), h.get(SweepMetric.PSNR).sd(), 1e-9);
        assertEquals(20.75, h.mean(SweepMetric.FID), 1e-9);
        assertEquals(Math.sqrt(0.17 / 3), h.get(SweepMetric.FID).sd(), 1e-9);
        assertEquals(0.35, h.mean(SweepMetric.CACHE_USAGE), 1e-9);
        assertEquals(sampleSd(0.34, 0.36, 0.35, 0.35), h.get(SweepMetric.CACHE_USAGE).sd(), 1e-9);
        assertEquals(0.65, h.mean(SweepMetric.MACS_RATIO), 1e-9);
        assertEquals(0.98, h.mean(SweepMetric.SSIM), 1e-9);
        assertEquals(0.88, h.mean(SweepMetric.CONSISTENCY), 1e-9);
        assertEquals(sampleSd(0.88, 0.875, 0.885, 0.88), h.get(SweepMetric.CONSISTENCY).sd(), 1e-9);
        assertEquals(4, h.get(SweepMetric.FID).n());

        SweepPoint custom = point(s, "router:custom", "router:custom");
        assertEquals(38.0, custom.mean(SweepMetric.PSNR), 1e-12);
        assertTrue(Double.isNaN(custom.get(SweepMetric.PSNR).sd()), "one replica: no sd");

        SweepPoint none = s.uncached().orElseThrow();
        assertEquals(Double.POSITIVE_INFINITY, none.mean(SweepMetric.PSNR));
        assertTrue(Double.isNaN(none.get(SweepMetric.PSNR).sd()));
        assertEquals(20.2, none.mean(SweepMetric.FID), 1e-9, "the infinite PSNR does not drop the row's FID");
        assertEquals(sampleSd(20.0, 20.4), none.get(SweepMetric.FID).sd(), 1e-9);
        assertEquals(0.885, none.mean(SweepMetric.CONSISTENCY), 1e-9);
        assertEquals(1.0, none.mean(SweepMetric.SPEEDUP), 0);
    }

    @Test
    void labelsFollowTheRouterFileConvention() {
        MethodLabel h = MethodLabel.parse("router:harmonica-cumulative-u35-s3");
        assertEquals("harmonica-cumulative", h.family());
        assertEquals("u35", h.point());
        assertEquals(35, h.targetUsage());
        assertEquals(3, h.routerSeed());
        assertTrue(h.learned());
        MethodLabel other = MethodLabel.parse("router:dit-fmnist-harmonica-ddim20");
        assertEquals("router:dit-fmnist-harmonica-ddim20", other.family());
        assertEquals(other.family(), other.point());
        assertTrue(other.learned());
        assertEquals(-1, other.routerSeed());
        assertEquals("fora", MethodLabel.parse("fora:2").family());
        assertEquals("fora:2", MethodLabel.parse("fora:2").point());
        assertEquals("fewer", MethodLabel.parse("fewer:14").family());
        assertEquals("fbcache", MethodLabel.parse("fbcache:0.1").family());
        assertEquals("delta-dit", MethodLabel.parse("delta-dit").family());
        assertEquals("delta-dit", MethodLabel.parse("delta-dit:interval=2").family());
        assertFalse(MethodLabel.parse("delta-dit").learned());
        assertTrue(MethodLabel.parse("none").uncached());
    }

    @Test
    void aRouterFamilyNamedLikeABaselineIsNotThatBaseline() {
        ParetoSweep s = ParetoSweep.of(java.util.Map.of("r", List.of(
                SweepFixture.row("fora:2", 0.5, 0.5, 1.9, 34, 0.97, 21, 0.88),
                SweepFixture.row("router:fora-u35-s0", 0.35, 0.65, 1.5, 36, 0.98, 20, 0.88))));
        assertEquals(2, s.curves().size());
        assertEquals(List.of("fora:2"), s.baseline("fora").orElseThrow().points().stream().map(SweepPoint::point).toList());
    }

    @Test
    void notMeasuredValuesAreLeftOutOfTheStatistics() {
        MeanSd s = MeanSd.of(1, Double.NaN, 3);
        assertEquals(2, s.mean(), 0);
        assertEquals(Math.sqrt(2), s.sd(), 1e-12);
        assertEquals(2, s.n());
        assertTrue(Double.isNaN(MeanSd.of(Double.NaN).mean()));
        assertEquals("2.00 ± 1.41", s.format("%.2f", 1, ""));
        assertEquals("5.0% ± -", MeanSd.of(0.05).format("%.1f", 100, "%"));
    }

    @Test
    void malformedOrMissingReportsNameTheFileAndLine() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        Path csv = dir.resolve("report.csv");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ParetoSweep.read(List.of(dir)));
        assertTrue(missing.getMessage().contains(csv.toString()), missing.getMessage());

        Files.writeString(csv, ReportCsv.HEADER.replace(",fid_classifier", "") + "\n");
        IllegalArgumentException noColumn = assertThrows(IllegalArgumentException.class, () -> ParetoSweep.read(List.of(dir)));
        assertTrue(noColumn.getMessage().contains(csv.toString()) && noColumn.getMessage().contains("fid_classifier"),
                noColumn.getMessage());

        Files.writeString(csv, ReportCsv.format(List.of(SweepFixture.row("none", 0, 1, 1, Double.POSITIVE_INFINITY, 1, 20, 0.9)), 0)
                + "fora:2,20,0.5,100,0.5,10.0,fast,30,0.9,21,0.88,0\n");
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class, () -> ParetoSweep.read(List.of(dir)));
        assertTrue(notANumber.getMessage().contains(csv + ", line 3") && notANumber.getMessage().contains("speedup")
                && notANumber.getMessage().contains("'fast'"), notANumber.getMessage());

        Files.writeString(csv, ReportCsv.HEADER + "\nfora:2,20,0.5\n");
        IllegalArgumentException shortRow = assertThrows(IllegalArgumentException.class, () -> ReportCsv.read(csv, "r"));
        assertTrue(shortRow.getMessage().contains(csv + ", line 2"), shortRow.getMessage());

        Files.writeString(csv, "");
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> ReportCsv.read(csv, "r"));
        assertTrue(empty.getMessage().contains(csv.toString()), empty.getMessage());
    }

    @Test
    void readsWhatEvalWritesWhateverTheColumnOrder() throws Exception {
        List<MethodResult> rows = SweepFixture.run0();
        Path csv = SweepFixture.writeRun(tmp.resolve("run"), rows, 0).resolve("report.csv");
        EvalRun run = ReportCsv.read(csv, "run");
        assertEquals(java.util.OptionalLong.of(0), run.sampleSeed());
        List<MethodResult> back = run.results();
        assertEquals(rows.size(), back.size());
        assertEquals(rows.get(5).method(), back.get(5).method());
        assertEquals(rows.get(5).psnr(), back.get(5).psnr(), 0);
        assertEquals(Double.POSITIVE_INFINITY, back.get(0).psnr());
        // Swap two columns: found by name. Without the sample_seed column (reports written before it) the seed is unknown.
        Files.writeString(csv, "speedup,method,steps,cache_usage_ratio,macs,macs_ratio,wall_ms,psnr,ssim,fid_classifier,"
                + "class_consistency\n1.5,fora:2,20,0.5,100,0.5,10,NaN,NaN,NaN,NaN\n");
        EvalRun old = ReportCsv.read(csv, "old");
        assertTrue(old.sampleSeed().isEmpty());
        MethodResult r = old.results().get(0);
        assertEquals("fora:2", r.method());
        assertEquals(1.5, r.speedup(), 0);
        assertTrue(Double.isNaN(r.fid()));
    }

    @Test
    void theSameRunTwiceIsRefused() throws Exception {
        List<Path> runs = SweepFixture.writeTwoRuns(tmp);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParetoSweep.read(List.of(runs.get(0), runs.get(0))));
        assertTrue(e.getMessage().contains(runs.get(0).toString()), e.getMessage());
    }

    @Test
    void aMethodInTwoRunsOfOneSampleSeedCountsOnce() throws Exception {
        // A second run of sample seed 0 with none (a re-measure on the same noise) and a new router.
        Path extra = SweepFixture.writeRun(tmp.resolve("seed0-more"), List.of(
                SweepFixture.row("none", 0, 1, 1, Double.POSITIVE_INFINITY, 1, 20.0, 0.88),
                SweepFixture.row("router:harmonica-u45-s0", 0.45, 0.57, 1.70, 30.0, 0.9, 22.0, 0.87)), 0);
        List<Path> dirs = new java.util.ArrayList<>(SweepFixture.writeTwoRuns(tmp));
        dirs.add(extra);
        ParetoSweep s = ParetoSweep.read(dirs);
        assertEquals(3, s.runs().size());
        assertEquals(2, s.sampleSeeds(), "seed 0 twice and seed 1");
        SweepPoint none = point(s, "none", "none");
        assertEquals(2, none.replicas(), "none of seed 0 once, of seed 1 once");
        assertEquals(sampleSd(20.0, 20.4), none.get(SweepMetric.FID).sd(), 1e-12);
        assertEquals(List.of("none (seed 0) in " + extra), s.repeats());
        assertEquals(1, point(s, "harmonica", "u45").replicas());
        assertTrue(ParetoReport.markdown(s, "t").contains("none (seed 0) in " + extra));

        // The same rows in runs of unknown seed (old reports) count as separate seeds, as before.
        ParetoSweep unseeded = ParetoSweep.of(java.util.Map.of("a", SweepFixture.run0(), "b", SweepFixture.run0()));
        assertEquals(2, unseeded.sampleSeeds());
        assertEquals(2, point(unseeded, "none", "none").replicas());
        assertTrue(unseeded.repeats().isEmpty());
    }

    @Test
    void aRunWithTwoSampleSeedsIsRefused() throws Exception {
        Path csv = tmp.resolve("report.csv");
        Files.writeString(csv, ReportCsv.format(List.of(SweepFixture.row("none", 0, 1, 1, 40, 1, 20, 0.9)), 0)
                + "fora:2,20,0.5,100,0.5,10.0,2,30,0.9,21,0.88,1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportCsv.read(csv, "r"));
        assertTrue(e.getMessage().contains(csv + ", line 3") && e.getMessage().contains("sample_seed"), e.getMessage());
    }
}
