package io.ditcache.eval;

import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
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
        if (width < 100 || height < 100) {
            throw new IllegalArgumentException("Pareto plot size must be at least 100 x 100, got " + width + " x " + height);
        }
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("speedup (x)").yAxisTitle(qualityName).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);

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
        // Margins so that labels near the extremes stay inside the plot; labels sit just above their points.
        double xMin = drawable.stream().mapToDouble(Point::speedup).min().getAsDouble();
        double xMax = drawable.stream().mapToDouble(Point::speedup).max().getAsDouble();
        double yMin = drawable.stream().mapToDouble(Point::quality).min().getAsDouble();
        double yMax = drawable.stream().mapToDouble(Point::quality).max().getAsDouble();
        double xPad = 0.12 * Math.max(xMax - xMin, 0.05 * Math.max(1, Math.abs(xMax)));
        double yPad = 0.12 * Math.max(yMax - yMin, 0.05 * Math.max(1, Math.abs(yMax)));
        chart.getStyler().setXAxisMin(xMin - xPad).setXAxisMax(xMax + xPad);
        chart.getStyler().setYAxisMin(yMin - yPad).setYAxisMax(yMax + yPad);
        List<String> used = new ArrayList<>();
        for (Point p : drawable) {
            String name = p.label();
            for (int k = 2; used.contains(name); k++) {
                name = p.label() + " (" + k + ")"; // XChart needs unique series names
            }
            used.add(name);
            chart.addSeries(name, new double[] {p.speedup()}, new double[] {p.quality()});
            chart.addAnnotation(new AnnotationText(p.label(), p.speedup(), p.quality() + 0.35 * yPad, false));
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
