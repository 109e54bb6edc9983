package io.ditcache.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Writes a {@link ParetoSweep}: {@code report.md} (a mean ± sd table and the {@link ParetoComparisons}),
 * {@code points.csv} (the same numbers, machine-readable) and the curves with error bars, speedup against FID
 * ({@code pareto.png}) and against PSNR ({@code pareto-psnr.png}). All files are written atomically.
 */
public final class ParetoReport {
    /** The table's metric columns, in order. */
    private static final List<SweepMetric> COLUMNS = List.of(SweepMetric.CACHE_USAGE, SweepMetric.MACS_RATIO,
            SweepMetric.SPEEDUP, SweepMetric.PSNR, SweepMetric.SSIM, SweepMetric.FID, SweepMetric.CONSISTENCY);

    private ParetoReport() {
    }

    /** The table: one row per point, each metric as "mean ± sd" ("-" for the sd of a single replica). */
    public static String table(ParetoSweep sweep) {
        StringBuilder sb = new StringBuilder("| family | point | replicas |");
        for (SweepMetric m : COLUMNS) {
            sb.append(' ').append(m.heading()).append(" |");
        }
        sb.append("\n|---|---|---|").append("---|".repeat(COLUMNS.size())).append('\n');
        for (SweepPoint p : sweep.points()) {
            sb.append("| ").append(p.family()).append(" | ").append(p.point()).append(" | ").append(p.replicas()).append(" |");
            for (SweepMetric m : COLUMNS) {
                sb.append(' ').append(m.format(p.get(m))).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public static String markdown(ParetoSweep sweep, String title) {
        return "# " + title + "\n\n"
                + String.format(Locale.ROOT, "%d eval runs, %d sample seeds, %d router seeds. Each cell is mean ± sample "
                        + "sd (n - 1) over the point's replicas: its rows in every run, one per router seed and sample "
                        + "seed; '-' where there is one replica. Runs: %s.%n%n", sweep.runs().size(), sweep.sampleSeeds(),
                sweep.routerSeeds(), String.join(", ", sweep.runs()))
                + (sweep.repeats().isEmpty() ? "" : "Rows of a method already counted for the same sample seed (same "
                        + "noise, same images) are left out: " + String.join("; ", sweep.repeats()) + ".\n\n")
                + table(sweep) + "\n" + ParetoComparisons.markdown(sweep);
    }

    /** points.csv: one line per point, {@code <metric>_mean} and {@code <metric>_sd} per metric, and the bar. */
    public static String csv(ParetoSweep sweep) {
        StringBuilder sb = new StringBuilder("family,point,learned,target_usage,replicas,sample_seeds,router_seeds");
        for (SweepMetric m : SweepMetric.values()) {
            sb.append(',').append(m.column()).append("_mean,").append(m.column()).append("_sd");
        }
        sb.append(",meets_uncached_bar\n");
        Optional<SweepPoint> none = sweep.uncached();
        for (SweepPoint p : sweep.points()) {
            sb.append(p.family()).append(',').append(p.point()).append(',').append(p.learned()).append(',')
                    .append(p.targetUsage() < 0 ? "" : Integer.toString(p.targetUsage())).append(',')
                    .append(p.replicas()).append(',').append(p.sampleSeeds()).append(',').append(p.routerSeeds());
            for (SweepMetric m : SweepMetric.values()) {
                sb.append(',').append(p.get(m).mean()).append(',').append(p.get(m).sd());
            }
            sb.append(',').append(none.isEmpty() || p.uncached() ? "" : ParetoComparisons.meetsBar(p, none.get())).append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes report.md, points.csv, pareto.png and pareto-psnr.png to {@code dir}; a plot with no finite point (FID
     * not measured, say) is skipped. Returns the files written.
     */
    public static List<Path> write(Path dir, ParetoSweep sweep, String title) throws IOException {
        List<Path> written = new ArrayList<>();
        StringBuilder md = new StringBuilder(markdown(sweep, title));
        for (Plot plot : List.of(new Plot("pareto.png", SweepMetric.FID, "FID (classifier features, lower is better)"),
                new Plot("pareto-psnr.png", SweepMetric.PSNR, "PSNR vs uncached (dB, higher is better)"))) {
            List<ParetoCurvesPlot.Curve> curves = curves(sweep, plot.metric());
            if (curves.stream().flatMap(c -> c.points().stream()).anyMatch(ParetoCurvesPlot.Point::finite)) {
                Path file = dir.resolve(plot.file());
                ParetoCurvesPlot.write(curves, title, plot.axis(), 900, 560, file);
                written.add(file);
            } else {
                md.append("\n").append(plot.file()).append(" not written: no point with a finite ")
                        .append(plot.metric().heading()).append(".\n");
            }
        }
        Path csv = dir.resolve("points.csv");
        EvalReport.writeText(csv, csv(sweep));
        Path report = dir.resolve("report.md");
        EvalReport.writeText(report, md.toString());
        written.add(0, csv);
        written.add(0, report);
        return written;
    }

    private record Plot(String file, SweepMetric metric, String axis) {
    }

    /** The sweep's curves in one quality metric, each point labelled with its name ("harmonica u35", "fora:2"). */
    static List<ParetoCurvesPlot.Curve> curves(ParetoSweep sweep, SweepMetric quality) {
        List<ParetoCurvesPlot.Curve> curves = new ArrayList<>();
        for (ParetoSweep.Curve c : sweep.curves()) {
            curves.add(new ParetoCurvesPlot.Curve(c.family(), c.points().stream()
                    .map(p -> new ParetoCurvesPlot.Point(p.name(), p.get(SweepMetric.SPEEDUP), p.get(quality))).toList()));
        }
        return curves;
    }
}
