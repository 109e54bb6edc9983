package io.ditcache.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * An inference convolution, stride 1 with "same" zero padding ({@code kernel / 2}, odd kernels), on channels-last
 * images, its weight packed once for {@link Gemm}:
 * <pre>
 * x    [batch, h, w, in]           (with upsample: [batch, h/2, w/2, in], read through nearest x2 upsampling)
 * cols [pixels, (ky, kx, ci)]      im2col, one band of output pixels at a time (a 1x1 kernel reads x directly)
 * y    [batch, h, w, out] (+)= cols * W^T + bias, then the activation, band by band while the band is in cache
 * </pre>
 * PyTorch's weight [out, in, k, k] is permuted once to rows in (ky, kx, ci) order, so each im2col tap is one
 * contiguous copy of {@code in} floats. A 3x3 kernel may instead run as Winograd F(2x2, 3x3)
 * ({@link WinogradConvolution}: 16 multiplications per 2x2 output tile and channel pair instead of 36), chosen per
 * layer by {@code -Dditcache.conv=auto|im2col|winograd} ({@link #PROPERTY}, read when a convolution is made; auto,
 * the default, is {@link #winogradPays}). Results do not depend on the thread count.
 */
public final class Convolution {
    /** What runs on the output after the bias. */
    public enum Activation { NONE, RELU }

    /** A 3x3 convolution's algorithm: {@code auto} (default), {@code im2col}, {@code winograd}. */
    public static final String PROPERTY = "ditcache.conv";
    /** Fewest input channels for auto to pick Winograd. */
    static final int WINOGRAD_MIN_IN = 64;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Floats of im2col per band (16 MB): the packed GEMM's A stays a fraction of the last-level cache. */
    private static final int BAND_FLOATS = 1 << 22;
    private static final ThreadLocal<float[]> COLS = ThreadLocal.withInitial(() -> new float[0]);

    private final int in;
    private final int out;
    private final int kernel;
    /** The im2col weight; null when {@link #winograd} runs instead. */
    private final PackedWeight weight;
    private final WinogradConvolution winograd;
    private final float[] bias;

    private Convolution(int in, int out, int kernel, PackedWeight weight, WinogradConvolution winograd, float[] bias) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.weight = weight;
        this.winograd = winograd;
        this.bias = bias;
    }

    /**
     * A convolution from PyTorch's weight {@code [out, in, kernel, kernel]} (row-major) and bias {@code [out]} (null:
     * none).
     */
    public static Convolution of(float[] torchWeight, float[] bias, int out, int in, int kernel) {
        if (in < 1 || out < 1 || kernel < 1 || kernel % 2 == 0) {
            throw new IllegalArgumentException("convolution: bad geometry out=" + out + " in=" + in + " kernel=" + kernel
                    + " (odd kernels only)");
        }
        int kk = kernel * kernel;
        if (torchWeight.length != out * in * kk || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("convolution: weight of " + torchWeight.length + " floats or bias of "
                    + (bias == null ? 0 : bias.length) + " does not fit [" + out + ", " + in + ", " + kernel + ", " + kernel + "]");
        }
        float[] b = bias == null ? null : bias.clone();
        if (kernel == 3 && useWinograd(in)) {
            return new Convolution(in, out, kernel, null, WinogradConvolution.of(torchWeight, b, out, in), b);
        }
        float[] rows = new float[torchWeight.length];
        for (int o = 0; o < out; o++) {
            for (int ci = 0; ci < in; ci++) {
                for (int t = 0; t < kk; t++) {
                    rows[(o * kk + t) * in + ci] = torchWeight[(o * in + ci) * kk + t];
                }
            }
        }
        return new Convolution(in, out, kernel, PackedWeight.of(rows, out, kk * in), null, b);
    }

    /** Whether a 3x3 convolution of {@code in} input channels runs as Winograd, as {@link #PROPERTY} says. */
    private static boolean useWinograd(int in) {
        String algorithm = System.getProperty(PROPERTY, "auto").trim();
        return switch (algorithm) {
            case "auto" -> winogradPays(in);
            case "winograd" -> true;
            case "im2col" -> false;
            default -> throw new IllegalArgumentException(PROPERTY + "=" + algorithm
                    + ": no such convolution algorithm; there are auto, im2col, winograd");
        };
    }

    /**
     * Auto's rule: Winograd for at least {@link #WINOGRAD_MIN_IN} input channels, any output. Measured per layer on a
     * 2-core AVX2 Zen 3 (bench/results/conv-probe-2026-12-03-0647.md), Winograd / im2col speed: 1.6-1.9x for 64 -> 64
     * at 32x32 to 256x256 (1.7-2.2x upsampled), 1.8-2.4x for 128 to 512 channels, 2.4x and 3.6x for 128 and 64 -> 3;
     * but 0.5-0.7x with 4 input channels (conv_in: a GEMM over 4 values does not pay for the transforms).
     */
    static boolean winogradPays(int in) {
        return in >= WINOGRAD_MIN_IN;
    }

    /** Whether this convolution runs as Winograd F(2x2, 3x3). */
    boolean winograd() {
        return winograd != null;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public int kernel() {
        return kernel;
    }

    /** Multiply-accumulates for one output image of {@code h x w}. */
    public long macs(int h, int w) {
        return (long) h * w * out * in * kernel * kernel;
    }

    /**
     * {@code y (+)= act(conv(x) + bias)} on output images [batch, h, w, out]; x is [batch, h, w, in], or with
     * {@code upsample} [batch, h/2, w/2, in] upsampled (nearest) on the fly. With {@code accumulate} the activation
     * sees y's old value plus the convolution (a residual add before it). y must not overlap x.
     */
    public void forward(float[] x, int batch, int h, int w, boolean upsample, float[] y, boolean accumulate,
                        Activation act) {
        if (upsample && (h % 2 != 0 || w % 2 != 0)) {
            throw new IllegalArgumentException("convolution: upsampled output " + h + "x" + w + " must be even");
        }
        if (winograd != null) {
            winograd.forward(x, batch, h, w, upsample, y, accumulate, act);
            return;
        }
        int pixels = batch * h * w;
        int k = kernel * kernel * in;
        boolean direct = kernel == 1 && !upsample;
        int maxRows = Math.max(1, BAND_FLOATS / k);
        int bands = (pixels + maxRows - 1) / maxRows;
        // Equal bands: none is left with the few rows that make the GEMM unpack the weight.
        int rows = (pixels + bands - 1) / bands;
        float[] cols = direct ? null : Scratch.atLeast(COLS, rows * k);
        for (int r0 = 0; r0 < pixels; r0 += rows) {
            int r1 = Math.min(pixels, r0 + rows);
            if (direct) {
                Gemm.matmul(x, r0 * in, weight, y, r0 * out, r1 - r0, accumulate);
            } else {
                im2col(x, h, w, upsample, cols, r0, r1);
                Gemm.matmul(cols, 0, weight, y, r0 * out, r1 - r0, accumulate);
            }
            epilogue(y, r0, r1, act);
        }
    }

    /** cols[p - r0, (ky, kx, ci)] = x at output pixel p shifted by (ky - pad, kx - pad), zero outside the image. */
    private void im2col(float[] x, int h, int w, boolean upsample, float[] cols, int r0, int r1) {
        int pad = kernel / 2;
        int k = kernel * kernel * in;
        int srcW = upsample ? w / 2 : w;
        int srcH = upsample ? h / 2 : h;
        int shift = upsample ? 1 : 0;
        Parallel.parallelFor(r0, r1, p -> {
            int b = p / (h * w);
            int oy = (p / w) % h;
            int ox = p % w;
            int dst = (p - r0) * k;
            for (int ky = 0; ky < kernel; ky++) {
                int iy = oy + ky - pad;
                for (int kx = 0; kx < kernel; kx++, dst += in) {
                    int ix = ox + kx - pad;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                        java.util.Arrays.fill(cols, dst, dst + in, 0f);
                    } else {
                        int src = ((b * srcH + (iy >> shift)) * srcW + (ix >> shift)) * in;
                        System.arraycopy(x, src, cols, dst, in);
                    }
                }
            }
        });
    }

    /** Bias and activation on output rows [r0, r1). */
    private void epilogue(float[] y, int r0, int r1, Activation act) {
        if (bias == null && act == Activation.NONE) {
            return;
        }
        boolean relu = act == Activation.RELU;
        Parallel.parallelFor(r0, r1, r -> {
            int o = r * out;
            int j = 0;
            for (; j <= out - L; j += L) {
                FloatVector v = FloatVector.fromArray(S, y, o + j);
                if (bias != null) {
                    v = v.add(FloatVector.fromArray(S, bias, j));
                }
                if (relu) {
                    v = v.max(0f);
                }
                v.intoArray(y, o + j);
            }
            for (; j < out; j++) {
                float v = bias != null ? y[o + j] + bias[j] : y[o + j];
                y[o + j] = relu ? Math.max(v, 0f) : v;
            }
        });
    }
}
