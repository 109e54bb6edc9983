package io.ditcache.eval;

import java.awt.Color;
import java.util.List;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The look shared by the speedup/quality charts ({@link ParetoPlot}, {@link ParetoCurvesPlot}): white background,
 * legend on the right, speedup on x, and axes fitted to the data with a margin so that labels near the extremes stay
 * inside the plot.
 */
final class ChartStyle {
    private ChartStyle() {
    }

    /** An empty speedup-vs-{@code qualityName} chart; rejects sizes under 100 x 100. */
    static XYChart speedupChart(String title, String qualityName, int width, int height) {
        if (width < 100 || height < 100) {
            throw new IllegalArgumentException("Pareto plot size must be at least 100 x 100, got " + width + " x " + height);
        }
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("speedup (x)").yAxisTitle(qualityName).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    /** Sets the axis ranges to the given data bounds plus a 12% margin; returns the y margin (for label offsets). */
    static double fitAxes(XYChart chart, double xMin, double xMax, double yMin, double yMax) {
        double xPad = 0.12 * Math.max(xMax - xMin, 0.05 * Math.max(1, Math.abs(xMax)));
        double yPad = 0.12 * Math.max(yMax - yMin, 0.05 * Math.max(1, Math.abs(yMax)));
        chart.getStyler().setXAxisMin(xMin - xPad).setXAxisMax(xMax + xPad);
        chart.getStyler().setYAxisMin(yMin - yPad).setYAxisMax(yMax + yPad);
        return yPad;
    }

    /** A text label just above a point; {@code yPad} as returned by {@link #fitAxes}. */
    static void label(XYChart chart, String text, double x, double y, double yPad) {
        chart.addAnnotation(new AnnotationText(text, x, y + 0.35 * yPad, false));
    }

    /** {@code name}, or "name (2)", "name (3)"... if taken (XChart needs unique series names); records it as taken. */
    static String uniqueName(String name, List<String> used) {
        String n = name;
        for (int k = 2; used.contains(n); k++) {
            n = name + " (" + k + ")";
        }
        used.add(n);
        return n;
    }
}
