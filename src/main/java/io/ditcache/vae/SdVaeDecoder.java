package io.ditcache.vae;

import io.ditcache.tensor.Convolution;
import io.ditcache.tensor.Convolution.Activation;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.util.Map;

/**
 * The decoder of diffusers' {@code AutoencoderKL} (Stable Diffusion's VAE), {@code vae.decode(z / scaling_factor)}:
 * <pre>
 * z = latents / scaling_factor; z = post_quant_conv(z)                    1x1, latent -> latent
 * x = decoder.conv_in(z)                                                  3x3, latent -> C_top
 * x = mid_block: resnets.0, attentions.0 (one head, residual), resnets.1
 * up_blocks.i (i = 0..): layers_per_block + 1 ResnetBlock2D (channels reversed(block_out_channels)[i], a 1x1
 *     conv_shortcut where they change), then, but for the last, upsamplers.0: nearest x2 + 3x3 conv
 * image = conv_out(SiLU(conv_norm_out(x)))                                GroupNorm, 3x3 -> 3
 * </pre>
 * Runs channels-last on the packed-GEMM convolutions of {@link Convolution}; {@code docs/vae.md} has the layer list
 * and the key names. For SD's VAE: 49,490,179 decoder parameters (+ 20 of post_quant_conv), 8x upsampling.
 */
public final class SdVaeDecoder implements LatentDecoder {
    private final SdVaeConfig config;
    private final String source;
    private final Convolution postQuantConv;
    private final Convolution convIn;
    private final ResnetBlock[] mid;
    private final MidBlockAttention attention;
    private final ResnetBlock[][] up;
    private final Convolution[] upsamplers;
    private final Norm normOut;
    private final Convolution convOut;
    private final Map<String, int[]> layout;

    SdVaeDecoder(SdVaeConfig c, VaeWeights w, String source) {
        this.config = c;
        this.source = source;
        int g = c.groups();
        float eps = c.eps();
        int lat = c.latentChannels();
        int top = c.upChannels(0);
        postQuantConv = w.conv("post_quant_conv", lat, lat, 1, true);
        convIn = w.conv("decoder.conv_in", top, lat, 3, true);
        mid = new ResnetBlock[] {new ResnetBlock(w, "decoder.mid_block.resnets.0", top, top, g, eps), null};
        attention = new MidBlockAttention(w, "decoder.mid_block.attentions.0", top, g, eps);
        mid[1] = new ResnetBlock(w, "decoder.mid_block.resnets.1", top, top, g, eps);
        int blocks = c.upBlocks();
        up = new ResnetBlock[blocks][c.layersPerBlock() + 1];
        upsamplers = new Convolution[blocks];
        int in = top;
        for (int i = 0; i < blocks; i++) {
            int out = c.upChannels(i);
            for (int j = 0; j < up[i].length; j++) {
                up[i][j] = new ResnetBlock(w, "decoder.up_blocks." + i + ".resnets." + j, j == 0 ? in : out, out, g, eps);
            }
            if (i < blocks - 1) {
                upsamplers[i] = w.conv("decoder.up_blocks." + i + ".upsamplers.0.conv", out, out, 3, true);
            }
            in = out;
        }
        normOut = w.norm("decoder.conv_norm_out", in, g, eps);
        convOut = w.conv("decoder.conv_out", c.outChannels(), in, 3, true);
        layout = w.taken();
    }

    /** The decoder with weights from {@code weights} in diffusers' naming ({@link SdVaeLayout} for the others). */
    public static SdVaeDecoder of(SdVaeConfig config, StateDict weights, String source) {
        return new SdVaeDecoder(config, VaeWeights.of(weights, SdVaeLayout.detect(weights).naming(weights)), source);
    }

    /** The decoder with random weights from {@code seed} (for timing; the images are noise). */
    public static SdVaeDecoder random(SdVaeConfig config, long seed) {
        return new SdVaeDecoder(config, VaeWeights.random(seed), "random weights, seed " + seed);
    }

    public SdVaeConfig config() {
        return config;
    }

    @Override
    public String name() {
        return config.name() + " (" + source + ")";
    }

    @Override
    public int latentChannels() {
        return config.latentChannels();
    }

    @Override
    public int scale() {
        return config.scale();
    }

    @Override
    public Map<String, int[]> layout() {
        return layout;
    }

    @Override
    public long macs(int h, int w) {
        long m = postQuantConv.macs(h, w) + convIn.macs(h, w) + mid[0].macs(h, w) + attention.macs(h * w) + mid[1].macs(h, w);
        for (int i = 0; i < up.length; i++) {
            for (ResnetBlock r : up[i]) {
                m += r.macs(h, w);
            }
            if (upsamplers[i] != null) {
                h *= 2;
                w *= 2;
                m += upsamplers[i].macs(h, w);
            }
        }
        return m + convOut.macs(h, w);
    }

    /** Floats of the largest activation buffer, per image of h x w latents. */
    private long bufferFloats(int h, int w) {
        long px = (long) h * w;
        long max = px * 3L * config.upChannels(0);
        int in = config.upChannels(0);
        for (int i = 0; i < up.length; i++) {
            int out = config.upChannels(i);
            max = Math.max(max, px * Math.max(in, out));
            if (upsamplers[i] != null) {
                px *= 4;
                max = Math.max(max, px * out);
            }
            in = out;
        }
        return max;
    }

    @Override
    public long bytesPerImage(int h, int w) {
        long px = (long) h * w;
        return 4L * (4 * bufferFloats(h, w) + px * px);
    }

    @Override
    public Tensor decodeChunk(Tensor latents) {
        Decoding.check(this, latents);
        int n = latents.dim(0);
        int h = latents.dim(2);
        int w = latents.dim(3);
        int lat = config.latentChannels();
        int size = (int) (n * bufferFloats(h, w));
        float[] x = new float[size];
        float[] t = new float[size];
        float[] hidden = new float[size];
        float[] y = new float[size];
        float[] z = Decoding.toChannelsLast(latents.data(), n, lat, h, w, 1f / config.scalingFactor());
        float[] zq = new float[z.length];
        postQuantConv.forward(z, n, h, w, false, zq, false, Activation.NONE);
        convIn.forward(zq, n, h, w, false, x, false, Activation.NONE);
        float[][] state = {x, y};
        resnet(mid[0], state, t, hidden, n, h, w);
        attention.forward(state[0], t, hidden, n, h * w);
        resnet(mid[1], state, t, hidden, n, h, w);
        for (int i = 0; i < up.length; i++) {
            for (ResnetBlock r : up[i]) {
                resnet(r, state, t, hidden, n, h, w);
            }
            if (upsamplers[i] != null) {
                h *= 2;
                w *= 2;
                upsamplers[i].forward(state[0], n, h, w, true, state[1], false, Activation.NONE);
                swap(state);
            }
        }
        normOut.apply(state[0], t, n, h * w, true);
        float[] image = new float[n * h * w * config.outChannels()];
        convOut.forward(t, n, h, w, false, image, false, Activation.NONE);
        return Decoding.toChannelsFirst(image, n, config.outChannels(), h, w, 1f, 0f);
    }

    /** Runs a block on state[0]; its output ends in state[0] (the two arrays swapped when it went to state[1]). */
    private static void resnet(ResnetBlock r, float[][] state, float[] t, float[] hidden, int n, int h, int w) {
        if (r.forward(state[0], t, hidden, state[1], n, h, w) == state[1]) {
            swap(state);
        }
    }

    private static void swap(float[][] state) {
        float[] a = state[0];
        state[0] = state[1];
        state[1] = a;
    }
}
