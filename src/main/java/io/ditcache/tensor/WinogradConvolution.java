package io.ditcache.tensor;

import io.ditcache.tensor.Convolution.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2015), the 3x3 path of {@link Convolution}: each 2x2 tile of output pixels comes from the 4x4 input patch around
 * it with 16 multiplications per (input, output) channel pair instead of 36.
 * <pre>
 * U = G g G^T        per (out, in): the 3x3 kernel g made 4x4, once; U's position p = 4 i + j: a PackedWeight
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
    /**
     * Floats of V and M per band (192 KiB): with TAESD's 64 channels, V and M of 24 tiles and the 16 weights (256 KiB)
     * share a Zen 3 core's 512 KiB L2. 48 tiles ran 0.87x as fast, 96 0.88x
     * (bench/results/conv-probe-2026-12-03-0616.md).
     */
    static final int BAND_FLOATS = 48 << 10;
    /** Fewest tiles per band. */
    static final int MIN_TILES = 24;
    /**
     * Weights (all 16 positions) of at least this many floats (8 MiB) stream from L3 or memory for every band:
     * then bands of {@link #STREAMED_TILES} amortize them (512 -> 512: 96 tiles ran 1.12x as fast as 48, 1.28x as
     * 24).
     */
    static final int STREAMED_WEIGHT_FLOATS = 2 << 20;
    static final int STREAMED_TILES = 96;
    private static final ThreadLocal<float[]> BAND = ThreadLocal.withInitial(() -> new float[0]);
    /** This thread's patch scratch: every field is written before it is read, so bands can share it. */
    private static final ThreadLocal<Patch> PATCH = ThreadLocal.withInitial(Patch::new);

    private final int in;
    private final int out;
    /** Channels rounded up to whole vectors: the rows of V and M, so that the transforms need no masks. */
    private final int inPad;
    private final int outPad;
    /** Position p's U [outPad, inPad], zero past the real channels. */
    private final PackedWeight[] weights;
    /** outPad floats, zero past out (all zero without a bias). */
    private final float[] bias;
    /** inPad zeros: the patch pixels outside the image, and the "old y" when not accumulating. */
    private final float[] zeros;
    private final int tilesPerBand;

    private WinogradConvolution(int in, int out, PackedWeight[] weights, float[] bias, int tilesPerBand) {
        this.in = in;
        this.out = out;
        this.inPad = pad(in);
        this.outPad = pad(out);
        this.weights = weights;
        this.bias = new float[outPad];
        if (bias != null) {
            System.arraycopy(bias, 0, this.bias, 0, out);
        }
        this.zeros = new float[inPad];
        this.tilesPerBand = tilesPerBand;
    }

    private static int pad(int channels) {
        return (channels + L - 1) / L * L;
    }

    /**
     * From PyTorch's weight [out, in, 3, 3] and bias [out] (null: none); bands of {@link #BAND_FLOATS}, at least
     * {@link #MIN_TILES} (or {@link #STREAMED_TILES} for large weights), rounded up to whole strips of the GEMM's
     * register tile.
     */
    static WinogradConvolution of(float[] torchWeight, float[] bias, int out, int in) {
        int mr = GemmConfig.defaults().kernel().mr;
        int tiles = (long) P * pad(in) * pad(out) >= STREAMED_WEIGHT_FLOATS ? STREAMED_TILES
                : Math.max(MIN_TILES, BAND_FLOATS / (P * (pad(in) + pad(out))));
        return of(torchWeight, bias, out, in, (tiles + mr - 1) / mr * mr);
    }

    /** With bands of {@code tilesPerBand} tiles (tests and probes vary it; the results do not change). */
    static WinogradConvolution of(float[] torchWeight, float[] bias, int out, int in, int tilesPerBand) {
        int inPad = pad(in);
        float[][] u = new float[P][pad(out) * inPad];
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
                int at = o * inPad + ci;
                for (int i = 0; i < 4; i++) { // (G g) G^T, rounded once to float
                    double r0 = gg[3 * i];
                    double r1 = gg[3 * i + 1];
                    double r2 = gg[3 * i + 2];
                    u[4 * i][at] = (float) r0;
                    u[4 * i + 1][at] = (float) ((r0 + r1 + r2) / 2);
                    u[4 * i + 2][at] = (float) ((r0 - r1 + r2) / 2);
                    u[4 * i + 3][at] = (float) r2;
                }
            }
        }
        PackedWeight[] weights = new PackedWeight[P];
        for (int p = 0; p < P; p++) {
            weights[p] = PackedWeight.of(u[p], pad(out), inPad);
        }
        return new WinogradConvolution(in, out, weights, bias, tilesPerBand);
    }

    /**
     * A band's scratch: where each of a patch's 16 pixels' channels are (x, or zeros outside the image), the
     * transforms' halfway values, a tile's outputs on their way to y, and room for the last channels when they do not
     * fill a vector.
     */
    private static final class Patch {
        final float[][] rows = new float[P][];
        final int[] offsets = new int[P];
        /** The last channels of the 16 pixels, zero-padded to a vector each. */
        final float[] tail = new float[P * L];
        /** B^T d (or A^T M) on its way across the rows. */
        final float[] columns = new float[P * L];
        final float[] outputs = new float[4 * L];
        final float[] outTail = new float[L];
    }

    /** {@link Convolution#forward} for a 3x3 kernel. */
    void forward(float[] x, int batch, int h, int w, boolean upsample, float[] y, boolean accumulate, Activation act) {
        int tilesW = (w + 1) / 2;
        int tiles = batch * ((h + 1) / 2) * tilesW;
        int bandTiles = tilesPerBand;
        float floor = act == Activation.RELU ? 0f : Float.NEGATIVE_INFINITY;
        Parallel.parallelFor(0, (tiles + bandTiles - 1) / bandTiles, band -> {
            int t0 = band * bandTiles;
            int n = Math.min(tiles, t0 + bandTiles) - t0;
            float[] vm = Scratch.atLeast(BAND, P * bandTiles * (inPad + outPad));
            int mOff = P * bandTiles * inPad;
            Patch patch = PATCH.get();
            for (int t = 0; t < n; t++) {
                inputTile(x, h, w, tilesW, upsample, t0 + t, patch, vm, t * inPad, bandTiles * inPad);
            }
            for (int p = 0; p < P; p++) {
                Gemm.matmul(vm, p * bandTiles * inPad, weights[p], vm, mOff + p * bandTiles * outPad, n, false);
            }
            for (int t = 0; t < n; t++) {
                outputTile(vm, mOff + t * outPad, bandTiles * outPad, h, w, tilesW, t0 + t, patch, y, accumulate,
                        floor);
            }
        });
    }

    /** V = B^T d B of tile {@code t} into {@code v[off + p * stride + ci]}, a channel vector at a time. */
    private void inputTile(float[] x, int h, int w, int tilesW, boolean upsample, int t, Patch patch, float[] v,
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
                patch.rows[4 * r + c] = inside ? x : zeros;
                int pixel = (b * (h >> shift) + (iy >> shift)) * srcW + (ix >> shift);
                patch.offsets[4 * r + c] = inside ? pixel * in : 0;
            }
        }
        int ci = 0;
        for (; ci + L <= in; ci += L) {
            transform(patch, ci, v, off + ci, stride);
        }
        if (ci < in) { // the last channels, zero-padded to a vector
            java.util.Arrays.fill(patch.tail, 0f);
            for (int k = 0; k < P; k++) {
                System.arraycopy(patch.rows[k], patch.offsets[k] + ci, patch.tail, k * L, in - ci);
                patch.rows[k] = patch.tail;
                patch.offsets[k] = k * L;
            }
            transform(patch, 0, v, off + ci, stride);
        }
    }

    /**
     * B^T d B for the channels c .. c + L - 1 of the patch pixels {@code rows[k][offsets[k] + c ..]} (k = 4 r + c),
     * into {@code v[off + p * stride]}: B^T down each column of d into {@code patch.columns}, then across each row.
     * Small steps through L1 rather than one method of 64 vector operations: past C2's inlining budget, vector
     * operations are left as calls on boxed vectors (400-500 MB per TAESD decode in some processes).
     */
    private static void transform(Patch patch, int c, float[] v, int off, int stride) {
        float[][] rows = patch.rows;
        int[] at = patch.offsets;
        float[] e = patch.columns;
        for (int j = 0; j < 4; j++) { // column j of B^T d at e[(4 i + j) L]
            bt(rows[j], at[j] + c, rows[4 + j], at[4 + j] + c, rows[8 + j], at[8 + j] + c, rows[12 + j],
                    at[12 + j] + c, e, j * L, 4 * L);
        }
        for (int i = 0; i < 4; i++) { // row i of B^T d B: positions 4 i .. 4 i + 3
            int r = 4 * i * L;
            bt(e, r, e, r + L, e, r + 2 * L, e, r + 3 * L, v, off + 4 * i * stride, stride);
        }
    }

    /** B^T on (a, b, c, d): (a - c, b + c, c - b, b - d), one vector each, into {@code dst[o + k * stride]}. */
    private static void bt(float[] a, int ao, float[] b, int bo, float[] c, int co, float[] d, int dOff, float[] dst,
                           int o, int stride) {
        FloatVector va = FloatVector.fromArray(S, a, ao);
        FloatVector vb = FloatVector.fromArray(S, b, bo);
        FloatVector vc = FloatVector.fromArray(S, c, co);
        FloatVector vd = FloatVector.fromArray(S, d, dOff);
        va.sub(vc).intoArray(dst, o);
        vb.add(vc).intoArray(dst, o + stride);
        vc.sub(vb).intoArray(dst, o + 2 * stride);
        vb.sub(vd).intoArray(dst, o + 3 * stride);
    }

    /**
     * Y = A^T M A of tile {@code t} (M at {@code m[off + p * stride + co]}): A^T down each column of M into
     * {@code patch.columns}, then across its two rows into {@code patch.outputs}; the outputs inside the image go to y.
     */
    private void outputTile(float[] m, int off, int stride, int h, int w, int tilesW, int t, Patch patch, float[] y,
                            boolean accumulate, float floor) {
        int tilesH = (h + 1) / 2;
        int b = t / (tilesH * tilesW);
        int oy = 2 * ((t / tilesW) % tilesH);
        int ox = 2 * (t % tilesW);
        int pixel = (b * h + oy) * w + ox;
        boolean right = ox + 1 < w;
        boolean below = oy + 1 < h;
        float[] e = patch.columns;
        float[] q = patch.outputs;
        for (int co = 0; co < outPad; co += L) {
            for (int j = 0; j < 4; j++) { // column j of A^T M at e[j L] and e[(4 + j) L]
                at(m, off + co + j * stride, 4 * stride, e, j * L, 4 * L);
            }
            at(e, 0, L, q, 0, L); // row 0 of A^T M A at q[0], q[L]
            at(e, 4 * L, L, q, 2 * L, L);
            emit(patch, 0, y, pixel * out, co, accumulate, floor);
            if (right) {
                emit(patch, L, y, (pixel + 1) * out, co, accumulate, floor);
            }
            if (below) {
                emit(patch, 2 * L, y, (pixel + w) * out, co, accumulate, floor);
                if (right) {
                    emit(patch, 3 * L, y, (pixel + w + 1) * out, co, accumulate, floor);
                }
            }
        }
    }

    /** A^T on (m0, m1, m2, m3) at src[o + k stride]: m0 + m1 + m2 to dst[d], m1 - m2 - m3 to dst[d + dStride]. */
    private static void at(float[] src, int o, int stride, float[] dst, int d, int dStride) {
        FloatVector m0 = FloatVector.fromArray(S, src, o);
        FloatVector m1 = FloatVector.fromArray(S, src, o + stride);
        FloatVector m2 = FloatVector.fromArray(S, src, o + 2 * stride);
        FloatVector m3 = FloatVector.fromArray(S, src, o + 3 * stride);
        m0.add(m1).add(m2).intoArray(dst, d);
        m1.sub(m2).sub(m3).intoArray(dst, d + dStride);
    }

    /**
     * Channels co .. co + L - 1 (those below out) of the output pixel at y[base] = max((y +) conv + bias, floor)
     * (floor -inf: no ReLU), conv at {@code patch.outputs[at ..]}; the last channels go through scratch. The
     * vectors stay inside the method (see {@link #transform}).
     */
    private void emit(Patch patch, int at, float[] y, int base, int co, boolean accumulate, float floor) {
        int n = out - co;
        float[] dst = n < L ? patch.outTail : y;
        int o = n < L ? 0 : base + co;
        if (n < L) {
            System.arraycopy(y, base + co, dst, 0, n);
        }
        FloatVector old = FloatVector.fromArray(S, accumulate ? dst : zeros, accumulate ? o : 0);
        FloatVector.fromArray(S, patch.outputs, at).add(old).add(FloatVector.fromArray(S, bias, co)).max(floor)
                .intoArray(dst, o);
        if (n < L) {
            System.arraycopy(dst, 0, y, base + co, n);
        }
    }
}
