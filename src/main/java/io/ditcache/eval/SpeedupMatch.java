package io.ditcache.eval;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A baseline curve's metric read off at another method's speedup, by linear interpolation between the two curve
 * points around it (mean speedup, mean metric): what the baseline would give at matched speed. Only inside the range
 * of the curve's points; nothing is extrapolated.
 *
 * @param lower  the curve point at or below {@code speedup}
 * @param upper  the curve point at or above it (the same as {@code lower} on an exact match)
 * @param nearer whichever of the two is closer in speedup: its sd stands for the curve's noise there
 */
public record SpeedupMatch(double speedup, double value, SweepPoint lower, SweepPoint upper, SweepPoint nearer) {
    /** The interpolated metric, or empty when {@code speedup} is outside the curve's points with that metric. */
    public static Optional<SpeedupMatch> at(List<SweepPoint> curve, SweepMetric metric, double speedup) {
        List<SweepPoint> pts = usable(curve, metric);
        if (pts.isEmpty() || !(speedup >= s(pts.get(0))) || !(speedup <= s(pts.get(pts.size() - 1)))) {
            return Optional.empty();
        }
        for (int i = 0; i < pts.size(); i++) {
            SweepPoint lo = pts.get(i);
            if (s(lo) == speedup) {
                return Optional.of(new SpeedupMatch(speedup, lo.mean(metric), lo, lo, lo));
            }
            SweepPoint hi = pts.get(i + 1); // exists: speedup <= the last speedup and is not s(lo)
            if (speedup < s(hi)) {
                double t = (speedup - s(lo)) / (s(hi) - s(lo));
                double v = lo.mean(metric) + t * (hi.mean(metric) - lo.mean(metric));
                return Optional.of(new SpeedupMatch(speedup, v, lo, hi, t <= 0.5 ? lo : hi));
            }
        }
        throw new AssertionError("unreachable: " + speedup + " inside the range");
    }

    /** "1.94x-2.71x": the speedups over which {@link #at} answers for this metric; "no points" if none. */
    public static String range(List<SweepPoint> curve, SweepMetric metric) {
        List<SweepPoint> pts = usable(curve, metric);
        if (pts.isEmpty()) {
            return "no points";
        }
        return SweepMetric.SPEEDUP.format(s(pts.get(0))) + "-" + SweepMetric.SPEEDUP.format(s(pts.get(pts.size() - 1)));
    }

    /** Whether the value came from between two points rather than one exact match. */
    public boolean interpolated() {
        return lower != upper;
    }

    private static List<SweepPoint> usable(List<SweepPoint> curve, SweepMetric metric) {
        return curve.stream().filter(p -> Double.isFinite(s(p)) && Double.isFinite(p.mean(metric)))
                .sorted(Comparator.comparingDouble(SpeedupMatch::s)).toList();
    }

    private static double s(SweepPoint p) {
        return p.mean(SweepMetric.SPEEDUP);
    }
}
