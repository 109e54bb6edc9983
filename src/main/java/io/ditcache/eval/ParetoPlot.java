package io.ditcache.eval;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The speed/quality trade-off of caching methods as a scatter plot (XChart): speedup over the uncached sampler on x,
 * a quality metric on y, one labelled point per method, and the Pareto front (points no other point beats on both
 * axes) as a dashed line. Points with a non-finite coordinate (e.g. the uncached run's infinite PSNR against itself)
 * cannot be drawn and are left out.
 */
public final class ParetoPlot {
    private ParetoPlot() {
    }

    /** One method's result. */
    public record Point(String label, double speedup, double quality) {
        boolean finite() {
            return Double.isFinite(speedup) && Double.isFinite(quality);
        }
    }

    /**
     * Renders the chart.
     *
     * @param qualityName     y-axis title, e.g. "FID (classifier features)" or "PSNR vs uncached (dB)"
     * @param higherIsBetter  whether larger quality values are better (PSNR, SSIM) or smaller (FID)
     */
    public static BufferedImage render(List<Point> points, String title, String qualityName, boolean higherIsBetter,
                                       int width, int height) {
        List<Point> drawable = new ArrayList<>();
        for (Point p : points) {
            if (p.finite()) {
                drawable.add(p);
            }
        }
        if (drawable.isEmpty()) {
            throw new IllegalArgumentException("Pareto plot '" + title + "': no point with finite speedup and " + qualityName);
        }
        XYChart chart = ChartStyle.speedupChart(title, qualityName, width, height);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);

        List<Point> front = front(drawable, higherIsBetter);
        if (front.size() > 1) {
            XYSeries line = chart.addSeries("Pareto front", front.stream().mapToDouble(Point::speedup).toArray(),
                    front.stream().mapToDouble(Point::quality).toArray());
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_ROUND,
                    java.awt.BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
            line.setLineColor(java.awt.Color.GRAY);
        }
        double yPad = ChartStyle.fitAxes(chart,
                drawable.stream().mapToDouble(Point::speedup).min().getAsDouble(),
                drawable.stream().mapToDouble(Point::speedup).max().getAsDouble(),
                drawable.stream().mapToDouble(Point::quality).min().getAsDouble(),
                drawable.stream().mapToDouble(Point::quality).max().getAsDouble());
        List<String> used = new ArrayList<>();
        for (Point p : drawable) {
            chart.addSeries(ChartStyle.uniqueName(p.label(), used), new double[] {p.speedup()}, new double[] {p.quality()});
            ChartStyle.label(chart, p.label(), p.speedup(), p.quality(), yPad);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Renders the chart and writes it as PNG, atomically. */
    public static void write(List<Point> points, String title, String qualityName, boolean higherIsBetter,
                             int width, int height, Path out) throws IOException {
        ImageGrid.writePng(render(points, title, qualityName, higherIsBetter, width, height), out);
    }

    /** The points not dominated by another (at least as fast and at least as good, better in one), by speedup. */
    public static List<Point> front(List<Point> points, boolean higherIsBetter) {
        List<Point> front = new ArrayList<>();
        for (Point p : points) {
            boolean dominated = false;
            for (Point q : points) {
                double gain = higherIsBetter ? q.quality() - p.quality() : p.quality() - q.quality();
                if (q.speedup() >= p.speedup() && gain >= 0 && (q.speedup() > p.speedup() || gain > 0)) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(p);
            }
        }
        front.sort(Comparator.comparingDouble(Point::speedup));
        return front;
    }
}
