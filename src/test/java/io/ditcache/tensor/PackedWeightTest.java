package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedWeightTest {
    /** Rows around the skinny/blocked switch and strip edges; features around panel edges; k across KC chunks. */
    @Test
    void packedLinearIsBitIdenticalToUnpackedAndMatchesNaive() {
        Random rng = new Random(7);
        int[][] shapes = {{1, 5, 3}, {4, 33, 17}, {5, 32, 300}, {13, 65, 257}, {40, 31, 600}, {100, 130, 64}};
        for (int[] s : shapes) {
            check(GemmConfig.defaults(), rng, s[0], s[1], s[2]);
        }
    }

    /**
     * {@code y = x W^T + bias}, x [rows, in], with W [out, in] packed for {@code config}: bit-identical to the unpacked
     * path with the same settings, and close to the naive loop.
     */
    static void check(GemmConfig config, Random rng, int rows, int out, int in) {
        float[] x = Reference.random(rng, rows * in);
        float[] w = Reference.random(rng, out * in);
        float[] bias = Reference.random(rng, out);
        float[] plain = new float[rows * out];
        float[] packed = new float[rows * out];
        Gemm.matmul(config, x, 0, in, w, 0, in, plain, 0, out, rows, out, in, false, true, false);
        Ops.addRowBias(plain, rows, out, bias);
        PackedWeight pw = PackedWeight.of(config, w, out, in);
        Gemm.linearInto(x, rows, pw, bias, packed);
        String what = config.describe() + ": " + rows + "x" + in + " -> " + out;
        assertArrayEquals(plain, packed, 0f, what);
        assertArrayEquals(w, pw.unpack(), 0f, what + ": unpack recovers W");
        double[] want = GemmTest.naive(x, 0, in, w, 0, in, new float[rows * out], 0, out, rows, out, in, false, true, false);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < out; j++) {
                want[i * out + j] += bias[j];
            }
        }
        Reference.assertClose(what, want, packed, 0, 1e-5 * Math.sqrt(in + 1));
        checkBf16(config, x, rows, w, out, in, bias, what, pw.bytes());
    }

    /**
     * bf16 panels (widened block by block, or chunk by chunk on the skinny path) give the bits of fp32 panels of the
     * weight rounded to bf16, in half the bytes; with accumulate too.
     */
    private static void checkBf16(GemmConfig config, float[] x, int rows, float[] w, int out, int in, float[] bias,
                                  String what, long fp32Bytes) {
        float[] rounded = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            rounded[i] = Bf16.roundTrip(w[i]);
        }
        PackedWeight half = PackedWeight.of(config, w, out, in, WeightPrecision.BF16);
        assertEquals(WeightPrecision.BF16, half.precision());
        assertEquals(fp32Bytes / 2, half.bytes(), what);
        assertArrayEquals(rounded, half.unpack(), 0f, what + ": bf16 unpack gives the rounded W");
        float[] want = new float[rows * out];
        float[] got = new float[rows * out];
        Gemm.linearInto(x, rows, PackedWeight.of(config, rounded, out, in), bias, want);
        Gemm.linearInto(x, rows, half, bias, got);
        assertArrayEquals(want, got, 0f, what + ": bf16");
        Gemm.matmul(x, 0, PackedWeight.of(config, rounded, out, in), want, 0, rows, true);
        Gemm.matmul(x, 0, half, got, 0, rows, true);
        assertArrayEquals(want, got, 0f, what + ": bf16, accumulate");
    }

    @Test
    void accumulateAddsIntoC() {
        Random rng = new Random(8);
        int m = 30;
        int n = 40;
        int k = 50;
        float[] a = Reference.random(rng, m * k);
        float[] w = Reference.random(rng, n * k);
        float[] c = Reference.random(rng, m * n);
        float[] expected = c.clone();
        Gemm.matmul(a, 0, w, 0, expected, 0, m, n, k, false, true, true);
        Gemm.matmul(a, 0, PackedWeight.of(w, n, k), c, 0, m, true);
        assertArrayEquals(expected, c, 0f);
    }

    @Test
    void packIsACopyAndRejectsShortArrays() {
        float[] w = {1, 2, 3, 4, 5, 6};
        PackedWeight p = PackedWeight.of(w, 2, 3);
        assertEquals(2, p.out());
        assertEquals(3, p.in());
        assertEquals(4L * 3 * p.config().kernel().nr, p.bytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PackedWeight.of(w, 3, 3));
        assertEquals("PackedWeight: 6 floats cannot hold [3, 3]", e.getMessage());
    }
}
