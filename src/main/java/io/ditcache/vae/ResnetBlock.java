package io.ditcache.vae;

import io.ditcache.tensor.Convolution;
import io.ditcache.tensor.Convolution.Activation;

/**
 * diffusers' {@code ResnetBlock2D} as the VAE decoder uses it (no time embedding, output scale 1), on channels-last
 * images [batch, h, w, C]:
 * <pre>
 * h = conv1(SiLU(norm1(x)))          3x3, in -> out
 * h = conv2(SiLU(norm2(h)))          3x3, out -> out
 * y = shortcut(x) + h                shortcut: conv_shortcut (1x1) where in != out, else x itself
 * </pre>
 */
final class ResnetBlock {
    private final Norm norm1;
    private final Convolution conv1;
    private final Norm norm2;
    private final Convolution conv2;
    private final Convolution shortcut;

    ResnetBlock(VaeWeights w, String name, int in, int out, int groups, float eps) {
        norm1 = w.norm(name + ".norm1", in, groups, eps);
        conv1 = w.conv(name + ".conv1", out, in, 3, true);
        norm2 = w.norm(name + ".norm2", out, groups, eps);
        conv2 = w.conv(name + ".conv2", out, out, 3, true);
        shortcut = in == out ? null : w.conv(name + ".conv_shortcut", out, in, 1, true);
    }

    /**
     * The block on x [batch, h, w, in]; {@code t} and {@code hidden} are scratch (max(in, out) and out channels). The
     * output (out channels) is written into x itself when there is no shortcut, else into y: the array returned.
     */
    float[] forward(float[] x, float[] t, float[] hidden, float[] y, int batch, int h, int w) {
        int pixels = h * w;
        norm1.apply(x, t, batch, pixels, true);
        conv1.forward(t, batch, h, w, false, hidden, false, Activation.NONE);
        norm2.apply(hidden, hidden, batch, pixels, true);
        float[] sum = x;
        if (shortcut != null) {
            shortcut.forward(x, batch, h, w, false, y, false, Activation.NONE);
            sum = y;
        }
        conv2.forward(hidden, batch, h, w, false, sum, true, Activation.NONE);
        return sum;
    }

    /** Multiply-accumulates for one image of h x w. */
    long macs(int h, int w) {
        return conv1.macs(h, w) + conv2.macs(h, w) + (shortcut == null ? 0 : shortcut.macs(h, w));
    }
}
