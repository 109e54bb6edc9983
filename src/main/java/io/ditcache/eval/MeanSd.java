package io.ditcache.eval;

/**
 * Mean and sample standard deviation (n - 1) of one metric over the replicas of a sweep point. Values that were not
 * measured (NaN) are left out, so {@code n} may be below the replica count; sd is NaN with fewer than two values or
 * when a value is infinite (the uncached run's PSNR against itself).
 */
public record MeanSd(double mean, double sd, int n) {
    /** Mean and sample sd of the values that are not NaN; mean NaN when there are none. */
    public static MeanSd of(double... values) {
        int n = 0;
        double sum = 0;
        boolean infinite = false;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                n++;
                sum += v;
                infinite |= Double.isInfinite(v);
            }
        }
        if (n == 0) {
            return new MeanSd(Double.NaN, Double.NaN, 0);
        }
        double mean = sum / n;
        if (n < 2 || infinite) {
            return new MeanSd(mean, Double.NaN, n);
        }
        double ss = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                ss += (v - mean) * (v - mean);
            }
        }
        return new MeanSd(mean, Math.sqrt(ss / (n - 1)), n);
    }

    /** The sd, or 0 where it is unknown (one replica): for error bars. */
    public double sdOrZero() {
        return Double.isFinite(sd) ? sd : 0;
    }

    /** "mean ± sd", each with {@code fmt} after multiplying by {@code scale}; "-" for a missing mean or sd. */
    public String format(String fmt, double scale, String unit) {
        if (Double.isNaN(mean)) {
            return "-";
        }
        String sdText = Double.isNaN(sd) ? "-" : EvalReport.num(scale * sd, fmt) + unit;
        return EvalReport.num(scale * mean, fmt) + unit + " ± " + sdText;
    }
}
