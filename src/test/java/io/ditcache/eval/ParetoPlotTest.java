package io.ditcache.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParetoPlotTest {
    @TempDir
    Path tmp;

    private static final List<ParetoPlot.Point> POINTS = List.of(
            new ParetoPlot.Point("none", 1.0, 12.0),
            new ParetoPlot.Point("fora:2", 1.8, 14.5),
            new ParetoPlot.Point("fewer:14", 1.4, 16.0),
            new ParetoPlot.Point("router:harmonica", 1.9, 13.0),
            new ParetoPlot.Point("inf", 2.0, Double.POSITIVE_INFINITY));

    @Test
    void writesDecodablePngOfRequestedSize() throws IOException {
        Path out = tmp.resolve("plots/pareto.png");
        ParetoPlot.write(POINTS, "DiT-S Fashion-MNIST, 20 DDIM steps", "FID (classifier features)", false, 640, 420, out);
        assertTrue(Files.size(out) > 1000);
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(420, img.getHeight());
        int distinct = (int) java.util.stream.IntStream.range(0, 640 * 420)
                .map(i -> img.getRGB(i % 640, i / 640)).distinct().count();
        assertTrue(distinct > 5, "the chart looks blank");
    }

    @Test
    void frontKeepsOnlyUndominatedPoints() {
        List<ParetoPlot.Point> finite = POINTS.subList(0, 4);
        // Lower FID is better: "none" (1.0, 12) and the router (1.9, 13) are undominated; fora:2 and fewer:14 lose
        // to the router on both axes.
        assertEquals(List.of("none", "router:harmonica"),
                ParetoPlot.front(finite, false).stream().map(ParetoPlot.Point::label).toList());
        // Higher is better: fewer:14 (16.0) and fora:2 (faster, 14.5) and the router (fastest) survive.
        assertEquals(List.of("fewer:14", "fora:2", "router:harmonica"),
                ParetoPlot.front(finite, true).stream().map(ParetoPlot.Point::label).toList());
    }

    @Test
    void rejectsNothingToDraw() {
        assertThrows(IllegalArgumentException.class, () -> ParetoPlot.render(
                List.of(new ParetoPlot.Point("none", 1, Double.POSITIVE_INFINITY)), "t", "PSNR", true, 400, 300));
    }
}
