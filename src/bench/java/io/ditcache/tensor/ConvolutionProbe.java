package io.ditcache.tensor;

import io.ditcache.tensor.Convolution.Activation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * 3x3 convolutions side by side in one JVM, im2col against Winograd F(2x2, 3x3) at some band sizes, their time
 * slices alternating round by round ({@link Slices}). Not a test; see
 * bench/run-conv-probe.sh.
 *
 * <p>Arguments: {@code ROUNDS SLICE_MS THREADS SETTINGS SHAPE...}; SETTINGS is a comma-separated list of
 * {@code im2col}, {@code winograd} (its default band) or {@code winograd/TILES}; a SHAPE is {@code IN:OUT:SIZE} or
 * {@code IN:OUT:SIZE:up} (output SIZE x SIZE, batch 1, bias and ReLU; {@code up}: input upsampled on the fly, no
 * bias, as TAESD's). Prints, per shape, each setting's median ms per call over the rounds, its range, and the first
 * setting's median over its own (the speedup over the first).
 */
public final class ConvolutionProbe {
    private ConvolutionProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        Slices.Args parsed = Slices.Args.of(args);
        int rounds = parsed.rounds();
        String[] settings = parsed.settings();
        for (String shape : parsed.shapes()) {
            String[] s = shape.split(":");
            int in = Integer.parseInt(s[0]);
            int out = Integer.parseInt(s[1]);
            int size = Integer.parseInt(s[2]);
            boolean up = s.length > 3 && s[3].equals("up");
            Random r = new Random(1);
            float[] wt = Reference.random(r, out * in * 9);
            float[] bias = up ? null : Reference.random(r, out);
            int src = up ? size / 2 : size;
            float[] x = Reference.random(r, src * src * in);
            float[] y = new float[size * size * out];
            List<Runnable> runs = new ArrayList<>();
            for (String setting : settings) {
                String[] p = setting.split("/");
                Activation act = up ? Activation.NONE : Activation.RELU;
                if (p[0].equals("im2col")) {
                    Convolution c = Reference.withConvolution("im2col", () -> Convolution.of(wt, bias, out, in, 3));
                    runs.add(() -> c.forward(x, 1, size, size, up, y, false, act));
                } else if (p[0].equals("winograd")) {
                    WinogradConvolution c = p.length == 1 ? WinogradConvolution.of(wt, bias, out, in)
                            : WinogradConvolution.of(wt, bias, out, in, Integer.parseInt(p[1]));
                    runs.add(() -> c.forward(x, 1, size, size, up, y, false, act));
                } else {
                    throw new IllegalArgumentException("no setting " + setting
                            + "; there are im2col, winograd[/TILES]");
                }
            }
            double[][] ms = Slices.secondsPerCall(runs, rounds, parsed.sliceNs(), t -> false);
            for (double[] setting : ms) {
                for (int round = 0; round < rounds; round++) {
                    setting[round] *= 1e3;
                }
            }
            double first = Slices.median(ms[0]);
            StringBuilder line = new StringBuilder(String.format("| %d -> %d, %dx%d%s |", in, out, size, size,
                    up ? ", upsampled" : ""));
            for (int t = 0; t < settings.length; t++) {
                Arrays.sort(ms[t]);
                double median = Slices.median(ms[t]);
                line.append(String.format(" %.3f (%.3f-%.3f) %.2f |", median, ms[t][0], ms[t][rounds - 1],
                        first / median));
            }
            System.out.println(line);
        }
    }
}
