package io.ditcache.vae;

import io.ditcache.tensor.Convolution;
import io.ditcache.tensor.Convolution.Activation;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.util.Map;

/**
 * The Tiny AutoEncoder decoder (TAESD, {@code madebyollin/taesd}), an {@code nn.Sequential} numbered as in
 * {@code taesd_decoder.pth} (diffusers' {@code AutoencoderTiny} stores the same as {@code decoder.layers.(i-1)}):
 * <pre>
 * 0  Clamp: tanh(z / 3) * 3                        z: the diffusion model's (scaled) latents, as they are
 * 1  conv 3x3 latent -> C, 2 ReLU
 * 3-5 Block x3, 6 Upsample x2, 7 conv 3x3 C -> C (no bias)      likewise 8-12 and 13-17
 * 18 Block, 19 conv 3x3 C -> 3                                  image in [0, 1], returned as 2 x - 1
 * Block(x) = ReLU(conv(ReLU(conv(ReLU(conv(x))))) + x)          three 3x3 convs with bias
 * </pre>
 * With C = 64: 1,222,531 parameters.
 */
public final class TaesdDecoder implements LatentDecoder {
    /** Blocks per stage; an upsampling and a conv follow every stage but the last. */
    private static final int[] BLOCKS = {3, 3, 3, 1};
    /** TAESD's width. */
    public static final int CHANNELS = 64;

    private final int latent;
    private final int channels;
    private final String source;
    private final Convolution convIn;
    private final Convolution[][] blocks;
    private final Convolution[] upsamplers;
    private final Convolution convOut;
    private final Map<String, int[]> layout;

    TaesdDecoder(int latent, int channels, VaeWeights w, String source) {
        this.latent = latent;
        this.channels = channels;
        this.source = source;
        int index = 1;
        convIn = w.conv(Integer.toString(index), channels, latent, 3, true);
        index += 2;
        int total = 0;
        for (int b : BLOCKS) {
            total += b;
        }
        blocks = new Convolution[total][3];
        upsamplers = new Convolution[BLOCKS.length - 1];
        int block = 0;
        for (int s = 0; s < BLOCKS.length; s++) {
            for (int b = 0; b < BLOCKS[s]; b++, block++, index++) {
                for (int c = 0; c < 3; c++) {
                    blocks[block][c] = w.conv(index + ".conv." + 2 * c, channels, channels, 3, true);
                }
            }
            if (s < upsamplers.length) {
                upsamplers[s] = w.conv(Integer.toString(index + 1), channels, channels, 3, false);
                index += 2;
            }
        }
        convOut = w.conv(Integer.toString(index), 3, channels, 3, true);
        layout = w.taken();
    }

    /** TAESD with weights from {@code weights}, keyed as {@code taesd_decoder.pth} or diffusers' AutoencoderTiny. */
    public static TaesdDecoder of(StateDict weights, String source) {
        boolean diffusers = weights.contains("decoder.layers.0.weight");
        String first = diffusers ? "decoder.layers.0.weight" : "1.weight";
        if (!weights.contains(first) || weights.get(first).rank() != 4) {
            throw new IllegalArgumentException("not a TAESD decoder: no 4-d key '1.weight' (taesd_decoder.pth) or"
                    + " 'decoder.layers.0.weight' (AutoencoderTiny)");
        }
        int[] in = weights.get(first).shape();
        VaeWeights w = VaeWeights.of(weights, diffusers ? TaesdDecoder::diffusersName : name -> name);
        return new TaesdDecoder(in[1], in[0], w, source);
    }

    /** TAESD of width {@code channels} with random weights from {@code seed} (for timing; the images are noise). */
    public static TaesdDecoder random(int channels, long seed) {
        return new TaesdDecoder(4, channels, VaeWeights.random(seed), "random weights, seed " + seed);
    }

    /** {@code i.rest} of taesd_decoder.pth as diffusers' AutoencoderTiny names it: {@code decoder.layers.(i-1).rest}. */
    static String diffusersName(String name) {
        int dot = name.indexOf('.');
        return "decoder.layers." + (Integer.parseInt(name.substring(0, dot)) - 1) + name.substring(dot);
    }

    @Override
    public String name() {
        return "taesd (" + source + ")";
    }

    @Override
    public int latentChannels() {
        return latent;
    }

    @Override
    public int scale() {
        return 1 << upsamplers.length;
    }

    @Override
    public Map<String, int[]> layout() {
        return layout;
    }

    @Override
    public long macs(int h, int w) {
        long m = convIn.macs(h, w);
        int block = 0;
        for (int s = 0; s < BLOCKS.length; s++) {
            for (int b = 0; b < BLOCKS[s]; b++, block++) {
                m += 3 * blocks[block][0].macs(h, w);
            }
            if (s < upsamplers.length) {
                h *= 2;
                w *= 2;
                m += upsamplers[s].macs(h, w);
            }
        }
        return m + convOut.macs(h, w);
    }

    @Override
    public long bytesPerImage(int h, int w) {
        return 4L * 3 * h * w * scale() * scale() * channels;
    }

    @Override
    public Tensor decodeChunk(Tensor latents) {
        Decoding.check(this, latents);
        int n = latents.dim(0);
        int h = latents.dim(2);
        int w = latents.dim(3);
        float[] z = Decoding.toChannelsLast(latents.data(), n, latent, h, w, 1f);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Math.tanh(z[i] / 3f) * 3f;
        }
        int size = n * h * w * scale() * scale() * channels;
        float[] x = new float[size];
        float[] t = new float[size];
        float[] u = new float[size];
        convIn.forward(z, n, h, w, false, x, false, Activation.RELU);
        int block = 0;
        for (int s = 0; s < BLOCKS.length; s++) {
            for (int b = 0; b < BLOCKS[s]; b++, block++) {
                Convolution[] c = blocks[block];
                c[0].forward(x, n, h, w, false, t, false, Activation.RELU);
                c[1].forward(t, n, h, w, false, u, false, Activation.RELU);
                c[2].forward(u, n, h, w, false, x, true, Activation.RELU);
            }
            if (s < upsamplers.length) {
                h *= 2;
                w *= 2;
                upsamplers[s].forward(x, n, h, w, true, t, false, Activation.NONE);
                float[] swap = x;
                x = t;
                t = swap;
            }
        }
        float[] image = new float[n * h * w * 3];
        convOut.forward(x, n, h, w, false, image, false, Activation.NONE);
        return Decoding.toChannelsFirst(image, n, 3, h, w, 2f, -1f);
    }
}
