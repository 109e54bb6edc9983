package io.ditcache.eval;

import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.Tensor;

/**
 * Full-reference image quality: PSNR and SSIM of images against references (for us: a cached sample against the
 * uncached sample from the same noise and label). Images are [N, C, H, W] floats; {@code dataRange} is the span of
 * valid values (2.0 for images in [-1, 1]). All sums are in double.
 *
 * <p>PSNR is {@code 10 log10(range^2 / MSE)}; identical inputs have MSE 0 and give
 * {@link Double#POSITIVE_INFINITY}, which callers should report as "inf" rather than average.
 *
 * <p>SSIM follows Wang et al. 2004 as {@code skimage.metrics.structural_similarity(gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False, data_range=R)}: an 11-tap Gaussian window (sigma 1.5, truncated at
 * 3.5 sigma), K1 = 0.01, K2 = 0.03, the SSIM map averaged over the positions where the window fits inside the image
 * ("valid"), then over channels. Images must be at least 11 x 11.
 */
public final class ImageMetrics {
    /** SSIM window side: 2 * (int) (3.5 * 1.5 + 0.5) + 1. */
    public static final int SSIM_WINDOW = 11;
    private static final double SSIM_SIGMA = 1.5;
    private static final double K1 = 0.01;
    private static final double K2 = 0.03;
    private static final double[] WINDOW = gaussianWindow();

    private ImageMetrics() {
    }

    /** PSNR of the two tensors taken as one signal (MSE over all elements). */
    public static double psnr(Tensor images, Tensor references, double dataRange) {
        return psnrOfMse(squaredError(images, references) / images.numel(), dataRange);
    }

    /** The sum of squared differences over all elements, in double: PSNR's sufficient statistic. */
    public static double squaredError(Tensor images, Tensor references) {
        checkSameShape(images, references);
        return sumSquaredError(images.data(), references.data(), 0, images.numel());
    }

    /** PSNR (dB) of a mean squared error on data of range {@code range}: +Infinity where the MSE is 0. */
    public static double psnrOfMse(double mse, double range) {
        if (!(range > 0)) {
            throw new IllegalArgumentException("data range must be positive, got " + range);
        }
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(range * range / mse);
    }

    /** PSNR of each image [C, H, W] of an [N, C, H, W] batch against its reference. */
    public static double[] psnrPerImage(Tensor images, Tensor references, double dataRange) {
        checkBatch(images, references);
        int n = images.dim(0);
        int per = images.numel() / Math.max(1, n);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = psnrOfMse(meanSquaredError(images.data(), references.data(), i * per, per), dataRange);
        }
        return out;
    }

    /** Mean over images of {@link #ssimPerImage}. */
    public static double ssim(Tensor images, Tensor references, double dataRange) {
        double[] per = ssimPerImage(images, references, dataRange);
        double sum = 0;
        for (double v : per) {
            sum += v;
        }
        return sum / per.length;
    }

    /**
     * SSIM of each image of an [N, C, H, W] batch against its reference, averaged over channels. A batch of finite
     * images against itself (the same tensor) is known to be exactly 1 per image and is not computed.
     */
    public static double[] ssimPerImage(Tensor images, Tensor references, double dataRange) {
        checkBatch(images, references);
        int n = images.dim(0);
        int c = images.dim(1);
        int h = images.dim(2);
        int w = images.dim(3);
        if (h < SSIM_WINDOW || w < SSIM_WINDOW) {
            throw new IllegalArgumentException("SSIM needs images of at least " + SSIM_WINDOW + " x " + SSIM_WINDOW
                    + ", got " + images.shapeString());
        }
        if (!(dataRange > 0)) {
            throw new IllegalArgumentException("data range must be positive, got " + dataRange);
        }
        if (images == references && allFinite(images)) {
            return againstItself(n);
        }
        double[] planes = new double[n * c];
        Parallel.parallelFor(0, n * c, p -> planes[p] = ssimPlane(images.data(), references.data(), p * h * w, h, w, dataRange));
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                out[i] += planes[i * c + ch];
            }
            out[i] /= c;
        }
        return out;
    }

    /**
     * The SSIM of {@code n} finite images against themselves, without computing it: with x = y every local term of
     * {@link #ssimPlane} is {@code (2 ux uy + c1)(2 vxy + c2) / ((ux ux + uy uy + c1)(vx + vy + c2))} with equal
     * numerator and denominator in floating point (doubling is exact), so each term, each plane's mean and each
     * image's channel mean are exactly 1 (what the evaluation's uncached baseline gets against itself).
     */
    private static double[] againstItself(int n) {
        double[] ones = new double[n];
        java.util.Arrays.fill(ones, 1.0);
        return ones;
    }

    private static boolean allFinite(Tensor t) {
        for (float v : t.data()) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Mean SSIM of one H x W plane: Gaussian-weighted local statistics, separable filter, valid region only. */
    private static double ssimPlane(float[] x, float[] y, int off, int h, int w, double range) {
        int k = SSIM_WINDOW;
        int ow = w - k + 1;
        int oh = h - k + 1;
        // Horizontal pass over every row: the five local sums x, y, xx, yy, xy, for the ow valid columns.
        double[][] rowPass = new double[5][h * ow];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < ow; c++) {
                double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
                for (int t = 0; t < k; t++) {
                    double g = WINDOW[t];
                    double a = x[off + r * w + c + t];
                    double b = y[off + r * w + c + t];
                    sx += g * a;
                    sy += g * b;
                    sxx += g * a * a;
                    syy += g * b * b;
                    sxy += g * a * b;
                }
                int o = r * ow + c;
                rowPass[0][o] = sx;
                rowPass[1][o] = sy;
                rowPass[2][o] = sxx;
                rowPass[3][o] = syy;
                rowPass[4][o] = sxy;
            }
        }
        double c1 = (K1 * range) * (K1 * range);
        double c2 = (K2 * range) * (K2 * range);
        double total = 0;
        double[] m = new double[5];
        for (int r = 0; r < oh; r++) {
            for (int c = 0; c < ow; c++) {
                for (int q = 0; q < 5; q++) {
                    double s = 0;
                    for (int t = 0; t < k; t++) {
                        s += WINDOW[t] * rowPass[q][(r + t) * ow + c];
                    }
                    m[q] = s;
                }
                double ux = m[0];
                double uy = m[1];
                double vx = m[2] - ux * ux;
                double vy = m[3] - uy * uy;
                double vxy = m[4] - ux * uy;
                total += (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
            }
        }
        return total / ((double) oh * ow);
    }

    private static double[] gaussianWindow() {
        double[] g = new double[SSIM_WINDOW];
        int radius = SSIM_WINDOW / 2;
        double sum = 0;
        for (int i = 0; i < SSIM_WINDOW; i++) {
            double x = i - radius;
            g[i] = Math.exp(-0.5 * x * x / (SSIM_SIGMA * SSIM_SIGMA));
            sum += g[i];
        }
        for (int i = 0; i < SSIM_WINDOW; i++) {
            g[i] /= sum;
        }
        return g;
    }

    private static double meanSquaredError(float[] a, float[] b, int off, int len) {
        return sumSquaredError(a, b, off, len) / len;
    }

    private static double sumSquaredError(float[] a, float[] b, int off, int len) {
        double sum = 0;
        for (int i = off; i < off + len; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    private static void checkSameShape(Tensor a, Tensor b) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException("images " + a.shapeString() + " and references " + b.shapeString()
                    + " differ in shape");
        }
        if (a.numel() == 0) {
            throw new IllegalArgumentException("no pixels to compare in " + a.shapeString());
        }
    }

    private static void checkBatch(Tensor a, Tensor b) {
        checkSameShape(a, b);
        if (a.rank() != 4) {
            throw new IllegalArgumentException("images must be [N, C, H, W], got " + a.shapeString());
        }
    }
}
