package io.ditcache.tensor;

import io.ditcache.tensor.Convolution.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2015), the 3x3 path of {@link Convolution}: each 2x2 tile of output pixels comes from the 4x4 input patch around
 * it with 16 multiplications per (input, output) channel pair instead of 36.
 * <pre>
 * U = G g G^T        per (out, in): the 3x3 kernel g made 4x4, once; position p = 4 i + j of U is one PackedWeight [out, in]
 * V = B^T d B        per tile and input channel: d the 4x4 patch, rows 2 ty - 1 .. 2 ty + 2, zero outside the image
 * M_p = V_p U_p^T    16 GEMMs [tiles, in] x [in, out], one per position
 * Y = A^T M A        the tile's 2x2 outputs; then (+ y), + bias, the activation
 *
 * B^T = | 1  0 -1  0 |     G = | 1    0    0   |     A^T = | 1  1  1  0 |
 *       | 0  1  1  0 |         | 1/2  1/2  1/2 |           | 0  1 -1 -1 |
 *       | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
 *       | 0  1  0 -1 |         | 0    0    1   |
 * </pre>
 * Tiles run in bands of {@link #tilesPerBand} (row-major over batch, tile rows, tile columns), a band on one thread
 * from input transform to output, so its V and M stay in that core's cache. Every output depends only on its own
 * tile and the GEMM's fixed sum order, so results do not depend on the thread count or the band size.
 */
final class WinogradConvolution {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Positions of a 4x4 transformed tile. */
    private static final int P = 16;
    /** Floats of V and M per band (384 KiB, three quarters of a Zen 3 core's L2): a band stays in its core's L2. */
    static final int BAND_FLOATS = 96 << 10;
    /** Fewest tiles per band: each GEMM's weight is read for at least this many rows. */
    static final int MIN_TILES = 48;
    private static final ThreadLocal<float[]> BAND = ThreadLocal.withInitial(() -> new float[0]);

    private final int in;
    private final int out;
    private final PackedWeight[] weights;
    private final float[] bias;
    private final int tilesPerBand;

    private WinogradConvolution(int in, int out, PackedWeight[] weights, float[] bias, int tilesPerBand) {
        this.in = in;
        this.out = out;
        this.weights = weights;
        this.bias = bias;
        this.tilesPerBand = tilesPerBand;
    }

    /**
     * From PyTorch's weight [out, in, 3, 3] and bias [out] (null: none, else kept as given); bands of
     * {@link #BAND_FLOATS}, at least {@link #MIN_TILES}, rounded up to whole strips of the GEMM's register tile.
     */
    static WinogradConvolution of(float[] torchWeight, float[] bias, int out, int in) {
        int mr = GemmConfig.defaults().kernel().mr;
        int tiles = Math.max(MIN_TILES, BAND_FLOATS / (P * (in + out)));
        return of(torchWeight, bias, out, in, (tiles + mr - 1) / mr * mr);
    }

    /** With bands of {@code tilesPerBand} tiles (tests and probes vary it; the results do not change). */
    static WinogradConvolution of(float[] torchWeight, float[] bias, int out, int in, int tilesPerBand) {
        float[][] u = new float[P][out * in];
        double[] gg = new double[12];
        for (int o = 0; o < out; o++) {
            for (int ci = 0; ci < in; ci++) {
                int g = (o * in + ci) * 9;
                for (int kx = 0; kx < 3; kx++) { // G g: the rows of G times the columns of g
                    double g0 = torchWeight[g + kx];
                    double g1 = torchWeight[g + 3 + kx];
                    double g2 = torchWeight[g + 6 + kx];
                    gg[kx] = g0;
                    gg[3 + kx] = (g0 + g1 + g2) / 2;
                    gg[6 + kx] = (g0 - g1 + g2) / 2;
                    gg[9 + kx] = g2;
                }
                for (int i = 0; i < 4; i++) { // (G g) G^T, rounded once to float
                    double r0 = gg[3 * i];
                    double r1 = gg[3 * i + 1];
                    double r2 = gg[3 * i + 2];
                    u[4 * i][o * in + ci] = (float) r0;
                    u[4 * i + 1][o * in + ci] = (float) ((r0 + r1 + r2) / 2);
                    u[4 * i + 2][o * in + ci] = (float) ((r0 - r1 + r2) / 2);
                    u[4 * i + 3][o * in + ci] = (float) r2;
                }
            }
        }
        PackedWeight[] weights = new PackedWeight[P];
        for (int p = 0; p < P; p++) {
            weights[p] = PackedWeight.of(u[p], out, in);
        }
        return new WinogradConvolution(in, out, weights, bias, tilesPerBand);
    }

    /** {@link Convolution#forward} for a 3x3 kernel. */
    void forward(float[] x, int batch, int h, int w, boolean upsample, float[] y, boolean accumulate, Activation act) {
        int tilesW = (w + 1) / 2;
        int tiles = batch * ((h + 1) / 2) * tilesW;
        int bandTiles = tilesPerBand;
        Parallel.parallelFor(0, (tiles + bandTiles - 1) / bandTiles, band -> {
            int t0 = band * bandTiles;
            int n = Math.min(tiles, t0 + bandTiles) - t0;
            float[] vm = Scratch.atLeast(BAND, P * bandTiles * (in + out));
            int mOff = P * bandTiles * in;
            int[] patch = new int[P];
            for (int t = 0; t < n; t++) {
                inputTile(x, h, w, tilesW, upsample, t0 + t, patch, vm, t * in, bandTiles * in);
            }
            for (int p = 0; p < P; p++) {
                Gemm.matmul(vm, p * bandTiles * in, weights[p], vm, mOff + p * bandTiles * out, n, false);
            }
            for (int t = 0; t < n; t++) {
                outputTile(vm, mOff + t * out, bandTiles * out, h, w, tilesW, t0 + t, y, accumulate, act);
            }
        });
    }

    /**
     * V = B^T d B of tile {@code t} into {@code v[off + p * stride + ci]}, a channel vector at a time; {@code src} is
     * scratch for the offset in x of each patch pixel (-1 outside the image).
     */
    private void inputTile(float[] x, int h, int w, int tilesW, boolean upsample, int t, int[] src, float[] v,
                           int off, int stride) {
        int tilesH = (h + 1) / 2;
        int b = t / (tilesH * tilesW);
        int y0 = 2 * ((t / tilesW) % tilesH) - 1;
        int x0 = 2 * (t % tilesW) - 1;
        int shift = upsample ? 1 : 0;
        int srcW = w >> shift;
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                int iy = y0 + r;
                int ix = x0 + c;
                boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                src[4 * r + c] = inside ? ((b * (h >> shift) + (iy >> shift)) * srcW + (ix >> shift)) * in : -1;
            }
        }
        for (int ci = 0; ci < in; ci += L) {
            // B^T down the columns of d, then across the rows of B^T d: (a, b, c, d) -> (a - c, b + c, c - b, b - d)
            FloatVector a0 = load(x, src[0], ci, in), a1 = load(x, src[1], ci, in);
            FloatVector a2 = load(x, src[2], ci, in), a3 = load(x, src[3], ci, in);
            FloatVector b0 = load(x, src[4], ci, in), b1 = load(x, src[5], ci, in);
            FloatVector b2 = load(x, src[6], ci, in), b3 = load(x, src[7], ci, in);
            FloatVector c0 = load(x, src[8], ci, in), c1 = load(x, src[9], ci, in);
            FloatVector c2 = load(x, src[10], ci, in), c3 = load(x, src[11], ci, in);
            FloatVector d0 = load(x, src[12], ci, in), d1 = load(x, src[13], ci, in);
            FloatVector d2 = load(x, src[14], ci, in), d3 = load(x, src[15], ci, in);
            rowTransform(a0.sub(c0), a1.sub(c1), a2.sub(c2), a3.sub(c3), v, off, stride, ci);
            rowTransform(b0.add(c0), b1.add(c1), b2.add(c2), b3.add(c3), v, off + 4 * stride, stride, ci);
            rowTransform(c0.sub(b0), c1.sub(b1), c2.sub(b2), c3.sub(b3), v, off + 8 * stride, stride, ci);
            rowTransform(b0.sub(d0), b1.sub(d1), b2.sub(d2), b3.sub(d3), v, off + 12 * stride, stride, ci);
        }
    }

    /** B^T across one row (a, b, c, d) of B^T d: positions j = 0..3 at {@code v[o + j * stride]}. */
    private void rowTransform(FloatVector a, FloatVector b, FloatVector c, FloatVector d, float[] v, int o, int stride,
                              int ci) {
        store(a.sub(c), v, o, ci, in);
        store(b.add(c), v, o + stride, ci, in);
        store(c.sub(b), v, o + 2 * stride, ci, in);
        store(b.sub(d), v, o + 3 * stride, ci, in);
    }

    /** Y = A^T M A of tile {@code t} (M at {@code m[off + p * stride + co]}), then (+ y), + bias, activation, into y. */
    private void outputTile(float[] m, int off, int stride, int h, int w, int tilesW, int t, float[] y,
                            boolean accumulate, Activation act) {
        int tilesH = (h + 1) / 2;
        int b = t / (tilesH * tilesW);
        int oy = 2 * ((t / tilesW) % tilesH);
        int ox = 2 * (t % tilesW);
        int pixel = (b * h + oy) * w + ox;
        boolean right = ox + 1 < w;
        boolean below = oy + 1 < h;
        for (int co = 0; co < out; co += L) {
            // A^T down the columns of M: (m0, m1, m2, m3) -> (m0 + m1 + m2, m1 - m2 - m3); then across the rows
            FloatVector a0 = load(m, off, co, out), a1 = load(m, off + stride, co, out);
            FloatVector a2 = load(m, off + 2 * stride, co, out), a3 = load(m, off + 3 * stride, co, out);
            FloatVector b0 = load(m, off + 4 * stride, co, out), b1 = load(m, off + 5 * stride, co, out);
            FloatVector b2 = load(m, off + 6 * stride, co, out), b3 = load(m, off + 7 * stride, co, out);
            FloatVector c0 = load(m, off + 8 * stride, co, out), c1 = load(m, off + 9 * stride, co, out);
            FloatVector c2 = load(m, off + 10 * stride, co, out), c3 = load(m, off + 11 * stride, co, out);
            FloatVector d0 = load(m, off + 12 * stride, co, out), d1 = load(m, off + 13 * stride, co, out);
            FloatVector d2 = load(m, off + 14 * stride, co, out), d3 = load(m, off + 15 * stride, co, out);
            FloatVector s0 = a0.add(b0).add(c0), s1 = a1.add(b1).add(c1);
            FloatVector s2 = a2.add(b2).add(c2), s3 = a3.add(b3).add(c3);
            FloatVector t0 = b0.sub(c0).sub(d0), t1 = b1.sub(c1).sub(d1);
            FloatVector t2 = b2.sub(c2).sub(d2), t3 = b3.sub(c3).sub(d3);
            emit(s0.add(s1).add(s2), y, pixel * out, co, accumulate, act);
            if (right) {
                emit(s1.sub(s2).sub(s3), y, (pixel + 1) * out, co, accumulate, act);
            }
            if (below) {
                emit(t0.add(t1).add(t2), y, (pixel + w) * out, co, accumulate, act);
                if (right) {
                    emit(t1.sub(t2).sub(t3), y, (pixel + w + 1) * out, co, accumulate, act);
                }
            }
        }
    }

    /** y[o + co ..] = act((y +) conv + bias) for the channels co .. co + L - 1 (those below out). */
    private void emit(FloatVector conv, float[] y, int o, int co, boolean accumulate, Activation act) {
        FloatVector v = accumulate ? load(y, o, co, out).add(conv) : conv;
        if (bias != null) {
            v = v.add(load(bias, 0, co, out));
        }
        if (act == Activation.RELU) {
            v = v.max(0f);
        }
        store(v, y, o, co, out);
    }

    /** Channels c .. c + L - 1 of the row at a[base], lanes at or past n zero; all zero when base is -1 (padding). */
    private static FloatVector load(float[] a, int base, int c, int n) {
        if (base < 0) {
            return FloatVector.zero(S);
        }
        return c + L <= n ? FloatVector.fromArray(S, a, base + c)
                : FloatVector.fromArray(S, a, base + c, S.indexInRange(c, n));
    }

    /** Stores channels c .. c + L - 1 (those below n) of the row at a[base]. */
    private static void store(FloatVector v, float[] a, int base, int c, int n) {
        if (c + L <= n) {
            v.intoArray(a, base + c);
        } else {
            v.intoArray(a, base + c, S.indexInRange(c, n));
        }
    }
}
