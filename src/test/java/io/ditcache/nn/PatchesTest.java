package io.ditcache.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ditcache.tensor.Reference;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link PatchEmbed}'s patch extraction and {@link Unpatchify}'s forward. */
class PatchesTest {
    @Test
    void extractFollowsIndexFormula() {
        int batch = 2, c = 3, size = 8, p = 2, g = size / p;
        float[] x = Reference.random(new Random(1), batch * c * size * size);
        float[] out = new float[batch * g * g * c * p * p];
        PatchEmbed.extract(x, batch, c, size, p, out);
        for (int b = 0; b < batch; b++) {
            for (int gi = 0; gi < g; gi++) {
                for (int gj = 0; gj < g; gj++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int py = 0; py < p; py++) {
                            for (int px = 0; px < p; px++) {
                                float want = x[((b * c + ch) * size + gi * p + py) * size + gj * p + px];
                                int tok = (b * g + gi) * g + gj;
                                assertEquals(want, out[tok * c * p * p + (ch * p + py) * p + px]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void unpatchifyFollowsIndexFormula() {
        int batch = 2, c = 4, size = 6, p = 3, g = size / p;
        float[] tokens = Reference.random(new Random(2), batch * g * g * p * p * c);
        float[] out = new float[batch * c * size * size];
        Unpatchify.forward(tokens, batch, c, size, p, out);
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < size; y++) {
                    for (int xx = 0; xx < size; xx++) {
                        int tok = (b * g + y / p) * g + xx / p;
                        float want = tokens[tok * p * p * c + ((y % p) * p + xx % p) * c + ch];
                        assertEquals(want, out[((b * c + ch) * size + y) * size + xx]);
                    }
                }
            }
        }
    }

    @Test
    void unpatchifyInvertsExtractWithChannelLastOrder() {
        // extract orders a patch (c, py, px); unpatchify reads (py, px, c). With c=1 the two coincide,
        // so they are exact inverses; for c>1 a permutation between them round-trips.
        int batch = 2, size = 8, p = 4, g = size / p;
        for (int c : new int[] {1, 3}) {
            float[] x = Reference.random(new Random(3 + c), batch * c * size * size);
            float[] tok = new float[batch * g * g * c * p * p];
            PatchEmbed.extract(x, batch, c, size, p, tok);
            float[] perm = new float[tok.length];
            for (int t = 0; t < batch * g * g; t++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int q = 0; q < p * p; q++) {
                        perm[t * c * p * p + q * c + ch] = tok[t * c * p * p + ch * p * p + q];
                    }
                }
            }
            float[] back = new float[x.length];
            Unpatchify.forward(perm, batch, c, size, p, back);
            assertArrayEquals(x, back);
        }
    }
}
