package io.ditcache.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Speed/quality curves with error bars (XChart): one line per method family through its points by speedup, each
 * point at its mean speedup and mean quality with ±sd bars on both axes (XChart draws the vertical ones; the
 * horizontal ones are short extra line segments in the family's colour). Points with a non-finite mean are left out,
 * and a missing sd (one replica) draws no bar. A curve keeps its colour (by its position in the list) whichever
 * points are drawable, so the FID and PSNR charts of one sweep match. Styling is {@link ChartStyle}'s, as for {@link ParetoPlot}.
 */
public final class ParetoCurvesPlot {
    private ParetoCurvesPlot() {
    }

    /** One point of a curve: mean ± sd on both axes. */
    public record Point(String label, MeanSd speedup, MeanSd quality) {
        boolean finite() {
            return Double.isFinite(speedup.mean()) && Double.isFinite(quality.mean());
        }
    }

    /** One family's points. */
    public record Curve(String name, List<Point> points) {
        public Curve {
            points = List.copyOf(points);
        }
    }

    /** Renders the chart; throws IllegalArgumentException when no point has a finite speedup and quality. */
    public static BufferedImage render(List<Curve> curves, String title, String qualityName, int width, int height) {
        List<Curve> drawable = new ArrayList<>();
        List<Integer> colorIndex = new ArrayList<>(); // by position in curves, so colours match across metrics
        for (int i = 0; i < curves.size(); i++) {
            Curve c = curves.get(i);
            List<Point> pts = c.points().stream().filter(Point::finite)
                    .sorted(Comparator.comparingDouble(p -> p.speedup().mean())).toList();
            if (!pts.isEmpty()) {
                drawable.add(new Curve(c.name(), pts));
                colorIndex.add(i);
            }
        }
        if (drawable.isEmpty()) {
            throw new IllegalArgumentException("Pareto plot '" + title + "': no point with finite speedup and " + qualityName);
        }
        XYChart chart = ChartStyle.speedupChart(title, qualityName, width, height);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setMarkerSize(8);
        List<Point> all = drawable.stream().flatMap(c -> c.points().stream()).toList();
        double yPad = ChartStyle.fitAxes(chart,
                all.stream().mapToDouble(p -> p.speedup().mean() - p.speedup().sdOrZero()).min().getAsDouble(),
                all.stream().mapToDouble(p -> p.speedup().mean() + p.speedup().sdOrZero()).max().getAsDouble(),
                all.stream().mapToDouble(p -> p.quality().mean() - p.quality().sdOrZero()).min().getAsDouble(),
                all.stream().mapToDouble(p -> p.quality().mean() + p.quality().sdOrZero()).max().getAsDouble());
        Color[] palette = chart.getStyler().getSeriesColors();
        List<String> used = new ArrayList<>();
        for (int i = 0; i < drawable.size(); i++) {
            Curve c = drawable.get(i);
            Color color = palette[colorIndex.get(i) % palette.length];
            XYSeries s = chart.addSeries(ChartStyle.uniqueName(c.name(), used),
                    c.points().stream().mapToDouble(p -> p.speedup().mean()).toArray(),
                    c.points().stream().mapToDouble(p -> p.quality().mean()).toArray(),
                    c.points().stream().mapToDouble(p -> p.quality().sdOrZero()).toArray());
            s.setLineColor(color);
            s.setMarkerColor(color);
            s.setMarker(SeriesMarkers.CIRCLE);
            for (Point p : c.points()) {
                double sd = p.speedup().sdOrZero();
                if (sd > 0) {
                    XYSeries bar = chart.addSeries(ChartStyle.uniqueName(c.name() + " speedup sd", used),
                            new double[] {p.speedup().mean() - sd, p.speedup().mean() + sd},
                            new double[] {p.quality().mean(), p.quality().mean()});
                    bar.setMarker(SeriesMarkers.NONE);
                    bar.setLineColor(color);
                    bar.setLineStyle(new BasicStroke(1f));
                    bar.setShowInLegend(false);
                }
                ChartStyle.label(chart, p.label(), p.speedup().mean(), p.quality().mean(), yPad);
            }
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Renders the chart and writes it as PNG, atomically. */
    public static void write(List<Curve> curves, String title, String qualityName, int width, int height, Path out)
            throws IOException {
        ImageGrid.writePng(render(curves, title, qualityName, width, height), out);
    }
}
