package io.ditcache.eval;

import java.util.function.ToDoubleFunction;

/** The metrics a {@link ParetoSweep} aggregates, with their report.csv column, table heading and format. */
public enum SweepMetric {
    CACHE_USAGE("cache_usage_ratio", "cache usage", MethodResult::cacheUsageRatio, "%.1f", 100, "%", false),
    MACS_RATIO("macs_ratio", "MACs ratio", MethodResult::macsRatio, "%.3f", 1, "", false),
    SPEEDUP("speedup", "speedup", MethodResult::speedup, "%.2f", 1, "x", true),
    PSNR("psnr", "PSNR dB", MethodResult::psnr, "%.2f", 1, "", true),
    SSIM("ssim", "SSIM", MethodResult::ssim, "%.4f", 1, "", true),
    FID("fid_classifier", "FID (classifier)", MethodResult::fid, "%.2f", 1, "", false),
    CONSISTENCY("class_consistency", "class consistency", MethodResult::consistency, "%.1f", 100, "%", true);

    private final String column;
    private final String heading;
    private final ToDoubleFunction<MethodResult> value;
    private final String fmt;
    private final double scale;
    private final String unit;
    private final boolean higherIsBetter;

    SweepMetric(String column, String heading, ToDoubleFunction<MethodResult> value, String fmt, double scale,
                String unit, boolean higherIsBetter) {
        this.column = column;
        this.heading = heading;
        this.value = value;
        this.fmt = fmt;
        this.scale = scale;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    /** The column name in report.csv (and the stem of points.csv's {@code _mean}/{@code _sd} columns). */
    public String column() {
        return column;
    }

    public String heading() {
        return heading;
    }

    public double of(MethodResult r) {
        return value.applyAsDouble(r);
    }

    /** Whether a larger value is better; cache usage and MACs ratio are costs, not quality, and read as false. */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** "mean ± sd" as shown in report.md (percentages for ratios shown as %). */
    public String format(MeanSd s) {
        return s.format(fmt, scale, unit);
    }

    /** One value (a mean) in this metric's format. */
    public String format(double v) {
        return EvalReport.num(scale * v, fmt) + unit;
    }

    /** A difference, with its sign ("+1.20", "-0.5%"); "-" when not measured (NaN: a run without FID). */
    public String formatDelta(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        String s = EvalReport.num(scale * v, fmt.replace("%", "%+"));
        if (s.startsWith("-") && Double.parseDouble(s) == 0) {
            s = "+" + s.substring(1); // a tiny negative difference reads "+0.00", not "-0.00"
        }
        return s + unit;
    }
}
