package io.ditcache.eval;

import io.ditcache.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes an evaluation as a Markdown table, a CSV file and a Pareto plot (speedup against quality). */
public final class EvalReport {
    private EvalReport() {
    }

    public static String markdown(List<MethodResult> results, String header) {
        StringBuilder sb = new StringBuilder(header).append("\n\n");
        sb.append("| method | steps | cache usage | MACs ratio | wall ms | speedup | PSNR dB | SSIM | FID (classifier) | class consistency |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (MethodResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f%% | %.3f | %.0f | %.2fx | %s | %s | %s | %s |%n",
                    r.method(), r.steps(), 100 * r.cacheUsageRatio(), r.macsRatio(), r.wallMs(), r.speedup(),
                    num(r.psnr(), "%.2f"), num(r.ssim(), "%.4f"), num(r.fid(), "%.2f"),
                    Double.isNaN(r.consistency()) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * r.consistency())));
        }
        return sb.toString();
    }

    /**
     * The report's opening lines: model, settings, sample count and seed, {@code how} it ran (e.g. "2 threads",
     * "merged from 8 shards"), the writing build, and what each column measures.
     */
    public static String header(String model, io.ditcache.SamplerSettings settings, long n, long seed, String how) {
        return String.format(Locale.ROOT, "# ditcache eval: %s, %s-%d, cfg %.2f, %d samples, seed %d, %s%n%n"
                        + "Written by %s.%n%n"
                        + "Speedup = uncached wall time / method wall time, both measured in this run on the same noise, the methods "
                        + "taking turns batch by batch. "
                        + "PSNR/SSIM are against the uncached samples. FID is in the features of the Fashion-MNIST "
                        + "classifier trained here, against the test set (not Inception FID).",
                model, settings.sampler(), settings.steps(), settings.cfg(), n, seed, how,
                io.ditcache.Provenance.current().summary());
    }

    /** A value for a table: "-" when not measured (NaN), "inf" when infinite, else {@code fmt}. */
    static String num(double v, String fmt) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, fmt, v);
    }

    /**
     * report.md, report.csv ({@link ReportCsv#format}, with the run's {@code sampleSeed}) and pareto.png in
     * {@code dir}; the plot uses FID when measured, else PSNR.
     */
    public static void write(Path dir, List<MethodResult> results, String header, long sampleSeed) throws IOException {
        writeText(dir.resolve("report.md"), markdown(results, header));
        writeText(dir.resolve("report.csv"), ReportCsv.format(results, sampleSeed));
        boolean fid = results.stream().anyMatch(r -> Double.isFinite(r.fid()));
        List<ParetoPlot.Point> points = new ArrayList<>();
        for (MethodResult r : results) {
            points.add(new ParetoPlot.Point(r.method(), r.speedup(), fid ? r.fid() : r.psnr()));
        }
        ParetoPlot.write(points, "speedup vs quality", fid ? "FID (classifier features, lower is better)"
                : "PSNR vs uncached (dB)", !fid, 800, 520, dir.resolve("pareto.png"));
    }

    static void writeText(Path file, String text) throws IOException {
        AtomicFiles.writeStream(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static void print(List<MethodResult> results, PrintStream out) {
        out.println(markdown(results, "").trim());
    }
}
