package io.ditcache.eval;

/**
 * A difference of means between two sweep points in one metric, judged against their combined spread (the sum of the
 * two sds): a difference no larger than the spread is a tie, since run-to-run noise of that size was seen.
 *
 * @param delta  mean of the first point minus mean of the second
 * @param spread sum of the two sds; NaN when either has one replica only
 */
public record Difference(SweepMetric metric, double delta, double spread) {
    /** How the first point fares against the second. */
    public enum Verdict { BETTER, WORSE, TIE, UNKNOWN_SPREAD, NOT_COMPARABLE }

    public static Difference of(SweepMetric metric, MeanSd a, MeanSd b) {
        return new Difference(metric, a.mean() - b.mean(), a.sd() + b.sd());
    }

    public Verdict verdict() {
        if (!Double.isFinite(delta)) {
            return Verdict.NOT_COMPARABLE;
        }
        if (Double.isNaN(spread)) {
            return Verdict.UNKNOWN_SPREAD;
        }
        if (Math.abs(delta) <= spread) {
            return Verdict.TIE;
        }
        return (delta > 0) == metric.higherIsBetter() ? Verdict.BETTER : Verdict.WORSE;
    }

    /** "Δ +1.20, spread 0.50", the numbers behind the verdict. */
    public String numbers() {
        return "Δ " + metric.formatDelta(delta) + ", spread " + (Double.isNaN(spread) ? "-" : metric.format(spread));
    }

    /** The verdict in words about the first point, named {@code first}: "harmonica u35 better beyond spread". */
    public String words(String first) {
        return switch (verdict()) {
            case BETTER -> first + " better beyond spread";
            case WORSE -> first + " worse beyond spread";
            case TIE -> "within spread (tie)";
            case UNKNOWN_SPREAD -> "spread unknown (single replica)";
            case NOT_COMPARABLE -> "not comparable (not measured)";
        };
    }
}
