package io.ditcache.eval;

import io.ditcache.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageMetricsTest {
    private static Tensor tensor(ReferenceFixture.Entry e) {
        return Tensor.of(e.floats(), e.dims());
    }

    @Test
    void ssimAndPsnrMatchNumpyReference() throws IOException {
        ReferenceFixture f = new ReferenceFixture("/eval/images.txt");
        for (String name : new String[] {"rgb", "gray"}) {
            Tensor a = tensor(f.get(name + ".a"));
            Tensor b = tensor(f.get(name + ".b"));
            assertArrayEquals(f.get(name + ".ssim").values(), ImageMetrics.ssimPerImage(a, b, 2.0), 1e-10, name);
            assertArrayEquals(f.get(name + ".psnr").values(), ImageMetrics.psnrPerImage(a, b, 2.0), 1e-10, name);
            assertEquals(f.get(name + ".psnr_all").values()[0], ImageMetrics.psnr(a, b, 2.0), 1e-10, name);
        }
        Tensor a = tensor(f.get("rgb.a"));
        Tensor b = tensor(f.get("rgb.b"));
        assertArrayEquals(f.get("rgb.ssim_range1").values(), ImageMetrics.ssimPerImage(a, b, 1.0), 1e-10);
        double[] per = f.get("rgb.ssim").values();
        assertEquals((per[0] + per[1]) / 2, ImageMetrics.ssim(a, b, 2.0), 1e-10);
    }

    @Test
    void identicalImagesGiveSsimOneAndInfinitePsnr() {
        Tensor a = Tensor.zeros(1, 1, 12, 12);
        for (int i = 0; i < a.numel(); i++) {
            a.data()[i] = (float) Math.sin(i * 0.37);
        }
        assertEquals(1.0, ImageMetrics.ssim(a, a.copy(), 2.0), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, ImageMetrics.psnr(a, a.copy(), 2.0));
    }

    /**
     * A batch against itself (the same tensor, as the uncached baseline is judged) is not computed: the shortcut must
     * give exactly the bits the full computation gives on a copy, and fall back to it where a value is not finite.
     */
    @Test
    void anImageAgainstItselfGivesTheComputedSsimBitForBit() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        Tensor x = Tensor.zeros(5, 3, 16, 13);
        int plane = 16 * 13;
        for (int i = 0; i < x.numel(); i++) {
            int image = i / (3 * plane);
            x.data()[i] = switch (image) {
                case 0 -> (float) (2 * rng.nextDouble() - 1);        // noise in [-1, 1]
                case 1 -> rng.nextBoolean() ? 1f : -1f;               // saturated
                case 2 -> 0.25f;                                      // flat: zero variance
                case 3 -> (float) (1e3 * rng.nextGaussian());         // far out of range
                default -> (float) (1e-3 * Math.sin(i * 0.37));       // nearly flat
            };
        }
        double[] computed = ImageMetrics.ssimPerImage(x, x.copy(), 2.0);
        assertArrayEquals(computed, ImageMetrics.ssimPerImage(x, x, 2.0), 0.0);
        assertArrayEquals(new double[] {1, 1, 1, 1, 1}, computed, 0.0, "exactly 1, as the shortcut says");
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Tensor y = x.copy();
            y.data()[plane + 7] = bad; // image 0, channel 1
            double[] self = ImageMetrics.ssimPerImage(y, y, 2.0);
            assertTrue(Double.isNaN(self[0]), bad + ": computed, not assumed: " + self[0]);
            assertArrayEquals(ImageMetrics.ssimPerImage(y, y.copy(), 2.0), self, 0.0);
        }
    }

    @Test
    void psnrOfConstantOffset() {
        Tensor a = Tensor.zeros(2, 1, 4, 4);
        Tensor b = Tensor.zeros(2, 1, 4, 4);
        java.util.Arrays.fill(b.data(), 0.2f);
        // MSE = 0.04 (as float), range 2: 10 log10(4 / 0.04) = 20 dB.
        assertEquals(20.0, ImageMetrics.psnr(a, b, 2.0), 1e-5);
    }

    @Test
    void rejectsSmallOrMismatchedImages() {
        assertThrows(IllegalArgumentException.class,
                () -> ImageMetrics.ssim(Tensor.zeros(1, 1, 10, 20), Tensor.zeros(1, 1, 10, 20), 2.0));
        assertThrows(IllegalArgumentException.class,
                () -> ImageMetrics.psnr(Tensor.zeros(1, 1, 4, 4), Tensor.zeros(1, 1, 4, 5), 2.0));
    }
}
