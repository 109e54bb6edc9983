package io.ditcache.vae;

import java.util.Arrays;

/**
 * The shape of an {@code AutoencoderKL} decoder (diffusers' config names): latent and image channels, the encoder's
 * {@code block_out_channels} (the decoder runs them reversed), ResnetBlock2D layers per block (the decoder has one
 * more per up block), GroupNorm groups and eps, and the latent scaling factor ({@code decode(z / scaling_factor)}).
 */
public record SdVaeConfig(String name, int latentChannels, int outChannels, int[] blockOutChannels, int layersPerBlock,
                          int groups, float eps, float scalingFactor) {
    /** Stable Diffusion's VAE ({@code stabilityai/sd-vae-ft-ema}, {@code -ft-mse}): what DiT decodes with. */
    public static final SdVaeConfig SD_VAE = new SdVaeConfig("sd-vae", 4, 3, new int[] {128, 256, 512, 512}, 2, 32,
            1e-6f, 0.18215f);

    public SdVaeConfig {
        blockOutChannels = blockOutChannels.clone();
        if (latentChannels < 1 || outChannels < 1 || blockOutChannels.length < 1 || layersPerBlock < 0 || groups < 1
                || !(eps > 0) || !(scalingFactor > 0)) {
            throw new IllegalArgumentException("VAE config " + name + ": bad settings " + this);
        }
        for (int c : blockOutChannels) {
            if (c < 1 || c % groups != 0) {
                throw new IllegalArgumentException("VAE config " + name + ": block_out_channels "
                        + Arrays.toString(blockOutChannels) + " must be multiples of norm_num_groups " + groups);
            }
        }
    }

    @Override
    public int[] blockOutChannels() {
        return blockOutChannels.clone();
    }

    /** Channels of up block {@code i} (i = 0 is the first, at the latent's resolution). */
    int upChannels(int i) {
        return blockOutChannels[blockOutChannels.length - 1 - i];
    }

    int upBlocks() {
        return blockOutChannels.length;
    }

    /** Image size over latent size: 2^(up blocks - 1). */
    int scale() {
        return 1 << (blockOutChannels.length - 1);
    }

    @Override
    public String toString() {
        return name + "(latent " + latentChannels + ", out " + outChannels + ", block_out_channels "
                + Arrays.toString(blockOutChannels) + ", layers_per_block " + layersPerBlock + ", groups " + groups
                + ", eps " + eps + ", scaling " + scalingFactor + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SdVaeConfig c && c.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
