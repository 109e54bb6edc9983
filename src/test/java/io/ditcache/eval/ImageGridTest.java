package io.ditcache.eval;

import io.ditcache.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageGridTest {
    @TempDir
    Path tmp;

    /** Pixel values that differ per image, channel, row and column, spanning slightly beyond [-1, 1]. */
    private static Tensor ramp(int n, int c, int h, int w) {
        Tensor t = Tensor.zeros(n, c, h, w);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = -1.1f + 2.2f * ((i * 37) % 101) / 100f;
        }
        return t;
    }

    @Test
    void byteMappingMatchesSaveImage() {
        assertEquals(0, ImageGrid.toByte(-1f));
        assertEquals(255, ImageGrid.toByte(1f));
        assertEquals(128, ImageGrid.toByte(0f)); // 127.5 + 0.5 floors to 128
        assertEquals(0, ImageGrid.toByte(-3f));
        assertEquals(255, ImageGrid.toByte(7f));
    }

    @Test
    void grayscaleGridRoundTripsThroughPng() throws IOException {
        Tensor images = ramp(5, 1, 3, 4);
        Path out = tmp.resolve("sub/grid.png");
        ImageGrid.write(images, 2, 3, out);
        BufferedImage back = ImageIO.read(out.toFile());
        // 2 columns of 12 px, 3 rows of 9 px, 2 px padding around and between.
        assertEquals(2 * (12 + 2) + 2, back.getWidth());
        assertEquals(3 * (9 + 2) + 2, back.getHeight());
        assertEquals(1, back.getRaster().getNumBands());
        checkPixels(images, 2, 3, back.getRaster(), 0, 0, false);
        assertEquals(ImageGrid.PAD_GRAY, back.getRaster().getSample(0, 0, 0));
        // The unused 6th cell is padding gray.
        assertEquals(ImageGrid.PAD_GRAY, back.getRaster().getSample(2 + 14 + 5, 2 + 2 * 11 + 4, 0));
        try (var files = Files.list(out.getParent())) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
    }

    @Test
    void rgbGridRoundTripsThroughPng() throws IOException {
        Tensor images = ramp(3, 3, 5, 2);
        Path out = tmp.resolve("rgb.png");
        ImageGrid.write(images, 3, 1, out);
        BufferedImage back = ImageIO.read(out.toFile());
        assertEquals(3 * (2 + 2) + 2, back.getWidth());
        assertEquals(5 + 4, back.getHeight());
        checkPixels(images, 3, 1, back.getRaster(), 0, 0, false);
    }

    @Test
    void sideBySideKeepsBothGridsAndAddsLabels() throws IOException {
        Tensor a = ramp(4, 1, 6, 6);
        Tensor b = ramp(4, 1, 6, 6);
        for (int i = 0; i < b.numel(); i++) {
            b.data()[i] = -b.data()[i];
        }
        BufferedImage left = ImageGrid.render(a, 2, 1);
        BufferedImage right = ImageGrid.render(b, 2, 1);
        Path out = tmp.resolve("pair.png");
        ImageGrid.writePng(ImageGrid.sideBySide(left, "uncached", right, "cached"), out);
        BufferedImage back = ImageIO.read(out.toFile());
        assertEquals(left.getWidth() * 2 + ImageGrid.gap(), back.getWidth());
        assertEquals(left.getHeight() + ImageGrid.labelHeight(), back.getHeight());
        checkPixels(a, 2, 1, back.getRaster(), 0, ImageGrid.labelHeight(), true);
        checkPixels(b, 2, 1, back.getRaster(), left.getWidth() + ImageGrid.gap(), ImageGrid.labelHeight(), true);
        boolean text = false;
        for (int y = 0; y < ImageGrid.labelHeight(); y++) {
            for (int x = 0; x < back.getWidth(); x++) {
                text |= back.getRaster().getSample(x, y, 0) > 128;
            }
        }
        assertTrue(text, "label row has no text");
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(Tensor.zeros(2, 2, 4, 4), 2, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(Tensor.zeros(2, 1, 4, 4), 0, 1));
        assertFalse(Files.exists(tmp.resolve("x.png")));
    }

    /** Every image pixel, read back from the raster at the grid position it should occupy. */
    private static void checkPixels(Tensor images, int nrow, int scale, Raster r, int ox, int oy, boolean rgbFromGray) {
        int n = images.dim(0), c = images.dim(1), h = images.dim(2), w = images.dim(3);
        for (int i = 0; i < n; i++) {
            int x0 = ox + 2 + (i % nrow) * (w * scale + 2);
            int y0 = oy + 2 + (i / nrow) * (h * scale + 2);
            for (int y = 0; y < h * scale; y++) {
                for (int x = 0; x < w * scale; x++) {
                    for (int b = 0; b < (rgbFromGray ? 3 : c); b++) {
                        int expected = ImageGrid.toByte(images.get(i, rgbFromGray ? 0 : b, y / scale, x / scale));
                        assertEquals(expected, r.getSample(x0 + x, y0 + y, b),
                                "image " + i + " band " + b + " at " + x + "," + y);
                    }
                }
            }
        }
    }
}
