package io.ditcache.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParetoComparisonsTest {
    @TempDir
    Path tmp;
    ParetoSweep sweep;

    @BeforeEach
    void read() throws Exception {
        sweep = ParetoSweep.read(SweepFixture.writeTwoRuns(tmp));
    }

    /** The line about {@code subject}, and within it the part about {@code metric} (parts are split by "; "). */
    private static String part(List<String> lines, String subject, String metric) {
        String line = lines.stream().filter(l -> l.startsWith("- " + subject)).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + subject + " in " + lines));
        String body = line.substring(line.indexOf(": ") + 2);
        for (String p : body.split("; ")) {
            if (p.startsWith(metric + " ")) {
                return p;
            }
        }
        throw new AssertionError("no " + metric + " in " + line);
    }

    @Test
    void baselineIsInterpolatedLinearlyAtTheLearnedSpeedup() {
        List<SweepPoint> fewer = sweep.baseline("fewer").orElseThrow().points();
        // fewer:14 at 1.42x (PSNR 40.1), fewer:10 at 2.02x (PSNR 30.2); harmonica u35 runs at 1.53x.
        SpeedupMatch m = SpeedupMatch.at(fewer, SweepMetric.PSNR, 1.53).orElseThrow();
        double t = (1.53 - 1.42) / (2.02 - 1.42);
        assertEquals(40.1 + t * (30.2 - 40.1), m.value(), 1e-9);
        assertEquals("fewer:14", m.lower().point());
        assertEquals("fewer:10", m.upper().point());
        assertSame(m.lower(), m.nearer(), "1.53 is nearer 1.42 than 2.02");
        assertTrue(m.interpolated());
        SpeedupMatch fid = SpeedupMatch.at(fewer, SweepMetric.FID, 1.9).orElseThrow();
        assertEquals(21.1 + (1.9 - 1.42) / 0.6 * (24.2 - 21.1), fid.value(), 1e-9);
        assertEquals("fewer:10", fid.nearer().point());
        SpeedupMatch exact = SpeedupMatch.at(fewer, SweepMetric.PSNR, fewer.get(1).mean(SweepMetric.SPEEDUP)).orElseThrow();
        assertFalse(exact.interpolated());
        assertEquals(30.2, exact.value(), 1e-9);
        assertTrue(SpeedupMatch.at(fewer, SweepMetric.PSNR, 1.41).isEmpty(), "no extrapolation below");
        assertTrue(SpeedupMatch.at(fewer, SweepMetric.PSNR, 2.03).isEmpty(), "no extrapolation above");
        assertEquals("1.42x-2.02x", SpeedupMatch.range(fewer, SweepMetric.PSNR));
    }

    @Test
    void routerFamiliesAtTheSameUsageAreTiedUnlessTheGapExceedsTheSpread() {
        List<String> lines = ParetoComparisons.routerPairs(sweep);
        assertEquals(1, lines.size(), "only harmonica and l2c share a usage (u35): " + lines);
        assertTrue(lines.get(0).startsWith("- u35, harmonica vs l2c: "), lines.get(0));
        // PSNR 36.3 vs 33.3, spread 2 * sqrt(0.2 / 3) = 0.52: beyond.
        String psnr = part(lines, "u35", "PSNR");
        assertTrue(psnr.contains("Δ +3.00") && psnr.endsWith("harmonica better beyond spread"), psnr);
        // FID 20.75 vs 20.95: -0.20 against sqrt(0.17/3) + sqrt(0.35/3) = 0.58: a tie.
        String fid = part(lines, "u35", "FID");
        String spread = String.format(Locale.ROOT, "%.2f", Math.sqrt(0.17 / 3) + Math.sqrt(0.35 / 3));
        assertTrue(fid.contains("Δ -0.20, spread " + spread) && fid.endsWith("within spread (tie)."), fid);
    }

    @Test
    void learnedPointsAreJudgedAgainstBaselinesAtMatchedSpeedup() {
        List<String> lines = ParetoComparisons.againstBaselines(sweep);
        List<String> harmonica = lines.stream().filter(l -> l.startsWith("- harmonica u35 ")).toList();
        assertEquals(2, harmonica.size(), "one line per baseline: " + lines);
        String vsFora = harmonica.stream().filter(l -> l.contains(") vs fora: ")).findFirst().orElseThrow();
        assertTrue(vsFora.endsWith("vs fora: outside the range of fora's points (1.92x-2.72x)."), vsFora);

        String vsFewer = harmonica.stream().filter(l -> l.contains(") vs fewer: ")).findFirst().orElseThrow();
        double t = (1.53 - 1.42) / 0.6;
        double psnrAt = 40.1 + t * (30.2 - 40.1);
        assertTrue(vsFewer.contains(String.format(Locale.ROOT, "vs %.2f interpolated between fewer:14 and fewer:10", psnrAt)),
                vsFewer);
        // PSNR: 36.30 vs 38.29, far more than the spread (harmonica sd 0.26 + fewer:14 sd 0.14): worse.
        String psnr = part(List.of(vsFewer), "harmonica u35", "PSNR");
        assertTrue(psnr.contains(String.format(Locale.ROOT, "Δ %+.2f, spread %.2f", 36.3 - psnrAt,
                Math.sqrt(0.2 / 3) + Math.sqrt(0.02))) && psnr.endsWith("harmonica u35 worse beyond spread"), psnr);
        // FID: 20.75 vs 21.67: lower by more than 0.24 + 0.14: better.
        assertTrue(part(List.of(vsFewer), "harmonica u35", "FID").endsWith("harmonica u35 better beyond spread."), vsFewer);

        // harmonica-cumulative u50 at 2.32x sits halfway between fora:2 (1.92x) and fora:3 (2.72x): PSNR 31.2 vs
        // 31.2 is a tie, FID 23.1 vs 24.45 beats the spread.
        String cumulative = lines.stream().filter(l -> l.startsWith("- harmonica-cumulative u50 (2.32x) vs fora")).findFirst().orElseThrow();
        assertTrue(part(List.of(cumulative), "harmonica-cumulative", "PSNR").contains("within spread (tie)"), cumulative);
        assertTrue(part(List.of(cumulative), "harmonica-cumulative", "FID").contains("vs 24.45 interpolated")
                && cumulative.endsWith("harmonica-cumulative u50 better beyond spread."), cumulative);

        // One replica: no spread to judge by.
        String custom = lines.stream().filter(l -> l.startsWith("- router:custom (1.72x) vs fewer")).findFirst().orElseThrow();
        assertTrue(custom.contains("spread unknown (single replica)"), custom);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("- fora") || l.startsWith("- none")), "baselines are not judged");
    }

    @Test
    void differenceVerdictsFollowTheMetricsDirection() {
        assertEquals(Difference.Verdict.BETTER, new Difference(SweepMetric.PSNR, 1.0, 0.5).verdict());
        assertEquals(Difference.Verdict.WORSE, new Difference(SweepMetric.FID, 1.0, 0.5).verdict());
        assertEquals(Difference.Verdict.BETTER, new Difference(SweepMetric.FID, -1.0, 0.5).verdict());
        assertEquals(Difference.Verdict.TIE, new Difference(SweepMetric.FID, -0.5, 0.5).verdict());
        assertEquals(Difference.Verdict.UNKNOWN_SPREAD, new Difference(SweepMetric.FID, -3, Double.NaN).verdict());
        assertEquals(Difference.Verdict.NOT_COMPARABLE, new Difference(SweepMetric.PSNR, Double.NaN, 1).verdict());
        assertEquals("within spread (tie)", new Difference(SweepMetric.PSNR, 0.1, 0.5).words("a"));
        assertEquals("a worse beyond spread", new Difference(SweepMetric.PSNR, -0.6, 0.5).words("a"));
    }

    @Test
    void pointsWithinTenPercentFidAndOnePointConsistencyMeetTheBar() {
        List<String> lines = ParetoComparisons.uncachedBar(sweep);
        assertTrue(lines.get(0).contains("FID 20.20 ± 0.28") && lines.get(0).contains("class consistency 88.5% ± 0.7%"),
                lines.get(0));
        assertTrue(lines.get(0).contains("<= 22.22") && lines.get(0).contains(">= 87.5%"), lines.get(0));
        Map<String, Boolean> expected = Map.of("harmonica u35", true, "l2c u35", false /* consistency 86% */,
                "fora:2", true, "fora:3", false, "fewer:14", true, "fewer:10", false,
                "harmonica-cumulative u50", false /* FID 23.1 > 22.22 */, "router:custom", true);
        for (Map.Entry<String, Boolean> e : expected.entrySet()) {
            String line = lines.stream().filter(l -> l.contains(": " + e.getKey() + ": ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no bar line for " + e.getKey() + ": " + lines));
            assertEquals(e.getValue(), line.startsWith("- **meets the bar**"), line);
        }
        assertTrue(lines.stream().noneMatch(l -> l.contains(": none: ")), "the reference is not judged against itself");
        String h = lines.stream().filter(l -> l.contains(": harmonica u35: ")).findFirst().orElseThrow();
        assertTrue(h.contains(String.format(Locale.ROOT, "FID 20.75 (%+.1f%%)", 100 * (20.75 / 20.2 - 1))), h);
        assertTrue(h.contains("consistency 88.0% (-0.5 points)"), h);
    }

    @Test
    void theBarsEdgesAreInclusive() {
        ParetoSweep s = ParetoSweep.of(Map.of("r", List.of(
                SweepFixture.row("none", 0, 1, 1, Double.POSITIVE_INFINITY, 1, 20.0, 0.88),
                SweepFixture.row("fora:2", 0.5, 0.5, 2, 30, 0.9, 22.0, 0.87),
                SweepFixture.row("fora:3", 0.6, 0.4, 3, 28, 0.9, 22.01, 0.88),
                SweepFixture.row("fora:4", 0.7, 0.3, 4, 26, 0.9, 20.0, 0.8699),
                SweepFixture.row("fewer:10", 0, 0.5, 2, 30, 0.9, Double.NaN, 0.88))));
        SweepPoint none = s.uncached().orElseThrow();
        List<SweepPoint> fora = s.baseline("fora").orElseThrow().points();
        assertTrue(ParetoComparisons.meetsBar(fora.get(0), none), "+10.0% FID and -1.0 point");
        assertFalse(ParetoComparisons.meetsBar(fora.get(1), none), "+10.05% FID");
        assertFalse(ParetoComparisons.meetsBar(fora.get(2), none), "-1.01 points");
        assertFalse(ParetoComparisons.meetsBar(s.baseline("fewer").orElseThrow().points().get(0), none), "FID not measured");
        ParetoSweep noReference = ParetoSweep.of(Map.of("r", List.of(SweepFixture.row("fora:2", 0.5, 0.5, 2, 30, 0.9, 22, 0.87))));
        assertTrue(ParetoComparisons.uncachedBar(noReference).get(0).startsWith("No uncached"));
    }
}
