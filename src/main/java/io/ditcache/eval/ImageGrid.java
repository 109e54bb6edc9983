package io.ditcache.eval;

import io.ditcache.io.AtomicFiles;

import io.ditcache.tensor.Tensor;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Lays out a batch of images [N, C, H, W] with values in [-1, 1] (C = 1 grayscale or C = 3 RGB) as a grid,
 * {@code nrow} images per row like torchvision's {@code make_grid}, with {@value #PADDING}-pixel gray separators,
 * and writes it as PNG. Values map to bytes as torchvision's {@code save_image} does after {@code (x + 1) / 2}:
 * {@code floor(clamp((x + 1) / 2 * 255 + 0.5, 0, 255))}.
 */
public final class ImageGrid {
    /** Separator width in output pixels (not scaled). */
    public static final int PADDING = 2;
    /** Separator gray level: visible against the black backgrounds of Fashion-MNIST. */
    public static final int PAD_GRAY = 128;
    private static final int LABEL_HEIGHT = 20;
    private static final int GAP = 8;

    private ImageGrid() {
    }

    /** The byte a value in [-1, 1] becomes. */
    public static int toByte(float v) {
        double x = ((double) v + 1) / 2 * 255 + 0.5;
        return (int) Math.floor(Math.max(0, Math.min(255, x)));
    }

    /**
     * Renders the grid: {@code min(nrow, N)} columns, {@code ceil(N / nrow)} rows, each pixel repeated
     * {@code scale} x {@code scale}. Grayscale input gives a {@code TYPE_BYTE_GRAY} image, RGB a {@code TYPE_INT_RGB} one.
     */
    public static BufferedImage render(Tensor images, int nrow, int scale) {
        if (images.rank() != 4 || (images.dim(1) != 1 && images.dim(1) != 3) || images.dim(0) == 0) {
            throw new IllegalArgumentException("image grid needs [N >= 1, C = 1 or 3, H, W], got " + images.shapeString());
        }
        if (nrow < 1 || scale < 1) {
            throw new IllegalArgumentException("nrow and scale must be >= 1, got nrow " + nrow + ", scale " + scale);
        }
        int n = images.dim(0);
        int c = images.dim(1);
        int h = images.dim(2) * scale;
        int w = images.dim(3) * scale;
        int cols = Math.min(nrow, n);
        int rows = (n + nrow - 1) / nrow;
        int width = cols * (w + PADDING) + PADDING;
        int height = rows * (h + PADDING) + PADDING;
        BufferedImage out = new BufferedImage(width, height, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        WritableRaster raster = out.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int b = 0; b < c; b++) {
                    raster.setSample(x, y, b, PAD_GRAY);
                }
            }
        }
        float[] data = images.data();
        int srcH = images.dim(2);
        int srcW = images.dim(3);
        for (int i = 0; i < n; i++) {
            int x0 = PADDING + (i % nrow) * (w + PADDING);
            int y0 = PADDING + (i / nrow) * (h + PADDING);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int b = 0; b < c; b++) {
                        float v = data[((i * c + b) * srcH + y / scale) * srcW + x / scale];
                        raster.setSample(x0 + x, y0 + y, b, toByte(v));
                    }
                }
            }
        }
        return out;
    }

    /** Renders the grid and writes it as PNG, atomically. */
    public static void write(Tensor images, int nrow, int scale, Path out) throws IOException {
        writePng(render(images, nrow, scale), out);
    }

    /**
     * Two images next to each other (e.g. uncached | cached grids) on black, each under a one-line white label.
     * The result is RGB; grayscale inputs are copied sample by sample (no color-space conversion).
     */
    public static BufferedImage sideBySide(BufferedImage left, String leftLabel, BufferedImage right, String rightLabel) {
        int width = left.getWidth() + GAP + right.getWidth();
        int height = LABEL_HEIGHT + Math.max(left.getHeight(), right.getHeight());
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        copyInto(left, out, 0, LABEL_HEIGHT);
        copyInto(right, out, left.getWidth() + GAP, LABEL_HEIGHT);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            FontMetrics fm = g.getFontMetrics();
            int baseline = (LABEL_HEIGHT + fm.getAscent() - fm.getDescent()) / 2;
            g.drawString(leftLabel, Math.max(0, (left.getWidth() - fm.stringWidth(leftLabel)) / 2), baseline);
            int rx = left.getWidth() + GAP;
            g.drawString(rightLabel, rx + Math.max(0, (right.getWidth() - fm.stringWidth(rightLabel)) / 2), baseline);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Height of the label row {@link #sideBySide} adds above the images. */
    public static int labelHeight() {
        return LABEL_HEIGHT;
    }

    /** Horizontal gap {@link #sideBySide} leaves between the images. */
    public static int gap() {
        return GAP;
    }

    private static void copyInto(BufferedImage src, BufferedImage dst, int x0, int y0) {
        java.awt.image.Raster in = src.getRaster();
        WritableRaster out = dst.getRaster();
        boolean gray = in.getNumBands() == 1;
        if (!gray && in.getNumBands() < 3) {
            throw new IllegalArgumentException("side-by-side needs grayscale or RGB images, got " + in.getNumBands() + " bands");
        }
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                for (int b = 0; b < 3; b++) {
                    out.setSample(x0 + x, y0 + y, b, in.getSample(x, y, gray ? 0 : b));
                }
            }
        }
    }

    /** Writes any image as PNG through a temp file and rename. */
    public static void writePng(BufferedImage image, Path out) throws IOException {
        writePng(image, out, io.ditcache.Provenance.current().toMap());
    }

    /**
     * Writes {@code image} as a PNG with each entry of {@code text} as a tEXt chunk (keyword, value: Latin-1, as PNG
     * requires), atomically.
     */
    public static void writePng(BufferedImage image, Path out, java.util.Map<String, String> text) throws IOException {
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        javax.imageio.ImageTypeSpecifier type = javax.imageio.ImageTypeSpecifier.createFromRenderedImage(image);
        javax.imageio.metadata.IIOMetadata meta = writer.getDefaultImageMetadata(type, null);
        javax.imageio.metadata.IIOMetadataNode entries = new javax.imageio.metadata.IIOMetadataNode("tEXt");
        for (java.util.Map.Entry<String, String> e : text.entrySet()) {
            javax.imageio.metadata.IIOMetadataNode entry = new javax.imageio.metadata.IIOMetadataNode("tEXtEntry");
            entry.setAttribute("keyword", e.getKey());
            entry.setAttribute("value", e.getValue());
            entries.appendChild(entry);
        }
        javax.imageio.metadata.IIOMetadataNode root = new javax.imageio.metadata.IIOMetadataNode("javax_imageio_png_1.0");
        root.appendChild(entries);
        meta.mergeTree("javax_imageio_png_1.0", root);
        AtomicFiles.writeStream(out, stream -> {
            try (javax.imageio.stream.ImageOutputStream ios = new javax.imageio.stream.MemoryCacheImageOutputStream(stream)) {
                writer.setOutput(ios);
                writer.write(new javax.imageio.IIOImage(image, null, meta));
            } finally {
                writer.dispose();
            }
        });
    }
}
