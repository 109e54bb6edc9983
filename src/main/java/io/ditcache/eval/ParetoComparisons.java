package io.ditcache.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The comparisons of a {@link ParetoSweep}, in words, each difference judged against the replicas' spread
 * ({@link Difference}): learned router families against each other at the same target usage; each learned point
 * against the {@code fora} and {@code fewer} baselines at matched speedup ({@link SpeedupMatch}); and every point
 * against the uncached sampler's FID and class consistency, the product bar.
 */
public final class ParetoComparisons {
    /** The baseline curves learned points are compared with at matched speedup. */
    public static final List<String> BASELINES = List.of("fora", "fewer");
    /** Product bar: mean FID at most this much above uncached (relative)... */
    public static final double FID_TOLERANCE = 0.10;
    /** ...and mean class consistency at most this much below it (absolute: 0.01 is one percentage point). */
    public static final double CONSISTENCY_TOLERANCE = 0.01;

    private static final double EPS = 1e-9; // a consistency exactly one point below (0.87 vs 0.88) meets the bar
    private static final List<SweepMetric> QUALITY = List.of(SweepMetric.PSNR, SweepMetric.FID);

    private ParetoComparisons() {
    }

    /** The comparisons section of report.md. */
    public static String markdown(ParetoSweep sweep) {
        StringBuilder sb = new StringBuilder("## Comparisons\n\n");
        section(sb, "Learned routers against each other, same target usage", routerPairs(sweep),
                "no two learned families share a target usage (router files named <family>-u<NN>-s<seed>)");
        section(sb, "Learned routers against " + String.join(" and ", BASELINES) + " at matched speedup",
                againstBaselines(sweep), "no learned point, or no " + String.join("/", BASELINES) + " baseline");
        section(sb, "Against uncached (product bar)", uncachedBar(sweep), "");
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<String> lines, String ifEmpty) {
        sb.append("### ").append(title).append("\n\n");
        if (lines.isEmpty()) {
            sb.append(ifEmpty).append(".\n\n");
            return;
        }
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        sb.append('\n');
    }

    /** (a) Each pair of learned families at the same target usage: PSNR and FID difference against the spread. */
    public static List<String> routerPairs(ParetoSweep sweep) {
        TreeMap<Integer, List<SweepPoint>> byUsage = new TreeMap<>();
        for (SweepPoint p : sweep.points()) {
            if (p.learned() && p.targetUsage() >= 0) {
                byUsage.computeIfAbsent(p.targetUsage(), u -> new ArrayList<>()).add(p);
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<SweepPoint> same : byUsage.values()) {
            for (int i = 0; i < same.size(); i++) {
                for (int j = i + 1; j < same.size(); j++) {
                    SweepPoint a = same.get(i);
                    SweepPoint b = same.get(j);
                    List<String> parts = new ArrayList<>();
                    for (SweepMetric m : QUALITY) {
                        Difference d = Difference.of(m, a.get(m), b.get(m));
                        parts.add(String.format(Locale.ROOT, "%s %s vs %s (%s): %s", name(m), m.format(a.get(m)),
                                m.format(b.get(m)), d.numbers(), d.words(a.family())));
                    }
                    lines.add("- " + a.point() + ", " + a.family() + " vs " + b.family() + ": " + String.join("; ", parts) + ".");
                }
            }
        }
        return lines;
    }

    /** (b) Each learned point against each baseline curve, the baseline interpolated at the learned mean speedup. */
    public static List<String> againstBaselines(ParetoSweep sweep) {
        List<String> lines = new ArrayList<>();
        for (SweepPoint p : sweep.points()) {
            if (!p.learned()) {
                continue;
            }
            double speedup = p.mean(SweepMetric.SPEEDUP);
            for (String family : BASELINES) {
                Optional<ParetoSweep.Curve> curve = sweep.baseline(family);
                if (curve.isEmpty()) {
                    continue;
                }
                List<SweepPoint> baseline = curve.get().points();
                List<String> parts = new ArrayList<>();
                List<String> outside = new ArrayList<>();
                for (SweepMetric m : QUALITY) {
                    String part = matched(p, m, baseline, family);
                    parts.add(part);
                    if (part.equals(name(m) + " " + outside(baseline, m, family))) {
                        outside.add(outside(baseline, m, family));
                    }
                }
                // The same range for every metric: say it once.
                boolean onceOutside = outside.size() == QUALITY.size() && outside.stream().distinct().count() == 1;
                String body = onceOutside ? outside.get(0) : String.join("; ", parts);
                lines.add("- " + p.name() + " (" + SweepMetric.SPEEDUP.format(speedup) + ") vs " + family + ": " + body + ".");
            }
        }
        return lines;
    }

    private static String matched(SweepPoint p, SweepMetric m, List<SweepPoint> baseline, String family) {
        if (!Double.isFinite(p.mean(m))) {
            return name(m) + " not measured";
        }
        Optional<SpeedupMatch> match = SpeedupMatch.at(baseline, m, p.mean(SweepMetric.SPEEDUP));
        if (match.isEmpty()) {
            return name(m) + " " + outside(baseline, m, family);
        }
        SpeedupMatch s = match.get();
        Difference d = new Difference(m, p.mean(m) - s.value(), p.get(m).sd() + s.nearer().get(m).sd());
        String source = s.interpolated() ? "interpolated between " + s.lower().point() + " and " + s.upper().point()
                : "at " + s.lower().point();
        return String.format(Locale.ROOT, "%s %s vs %s %s (%s): %s", name(m), m.format(p.get(m)), m.format(s.value()),
                source, d.numbers(), d.words(p.name()));
    }

    private static String outside(List<SweepPoint> baseline, SweepMetric m, String family) {
        return "outside the range of " + family + "'s points (" + SpeedupMatch.range(baseline, m) + ")";
    }

    /** (c) The uncached point's FID and consistency, and for each other point whether it meets the product bar. */
    public static List<String> uncachedBar(ParetoSweep sweep) {
        Optional<SweepPoint> ref = sweep.uncached();
        if (ref.isEmpty()) {
            return List.of("No uncached `none` point in the runs: the bar is not evaluated.");
        }
        SweepPoint none = ref.get();
        double fid0 = none.mean(SweepMetric.FID);
        double c0 = none.mean(SweepMetric.CONSISTENCY);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "Uncached (`none`): FID %s, class consistency %s. The bar (on means): FID "
                        + "at most %.0f%% above uncached (<= %s) and class consistency at most %.0f point below (>= %s).",
                SweepMetric.FID.format(none.get(SweepMetric.FID)), SweepMetric.CONSISTENCY.format(none.get(SweepMetric.CONSISTENCY)),
                100 * FID_TOLERANCE, SweepMetric.FID.format(fid0 * (1 + FID_TOLERANCE)), 100 * CONSISTENCY_TOLERANCE,
                SweepMetric.CONSISTENCY.format(c0 - CONSISTENCY_TOLERANCE)));
        lines.add("");
        for (SweepPoint p : sweep.points()) {
            if (p.uncached()) {
                continue;
            }
            double fid = p.mean(SweepMetric.FID);
            double c = p.mean(SweepMetric.CONSISTENCY);
            String fidText = Double.isFinite(fid) && Double.isFinite(fid0)
                    ? String.format(Locale.ROOT, "FID %s (%+.1f%%)", SweepMetric.FID.format(fid), 100 * (fid / fid0 - 1))
                    : "FID not measured";
            String cText = Double.isFinite(c) && Double.isFinite(c0)
                    ? String.format(Locale.ROOT, "consistency %s (%+.1f points)", SweepMetric.CONSISTENCY.format(c), 100 * (c - c0))
                    : "consistency not measured";
            lines.add("- " + (meetsBar(p, none) ? "**meets the bar**" : "misses") + ": " + p.name() + ": " + fidText
                    + ", " + cText + ".");
        }
        return lines;
    }

    /**
     * Whether {@code p}'s mean FID is at most {@link #FID_TOLERANCE} above the uncached mean and its mean class
     * consistency at most {@link #CONSISTENCY_TOLERANCE} below it; false where either is not measured.
     */
    public static boolean meetsBar(SweepPoint p, SweepPoint uncached) {
        double fid = p.mean(SweepMetric.FID);
        double fid0 = uncached.mean(SweepMetric.FID);
        double c = p.mean(SweepMetric.CONSISTENCY);
        double c0 = uncached.mean(SweepMetric.CONSISTENCY);
        return Double.isFinite(fid) && Double.isFinite(fid0) && Double.isFinite(c) && Double.isFinite(c0)
                && fid <= fid0 * (1 + FID_TOLERANCE) + EPS && c >= c0 - CONSISTENCY_TOLERANCE - EPS;
    }

    private static String name(SweepMetric m) {
        return m == SweepMetric.PSNR ? "PSNR" : m == SweepMetric.FID ? "FID" : m.heading();
    }
}
