package io.ditcache.vae;

import io.ditcache.io.Json;
import io.ditcache.io.WeightsFiles;
import io.ditcache.tensor.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Loads a {@link LatentDecoder}: an AutoencoderKL (SD-VAE) or TAESD weights file, told apart by its keys, or a preset
 * with random weights. An SD-VAE's channels and depth are read off its weight shapes; its GroupNorm groups and
 * scaling factor from a diffusers {@code config.json} beside the file ({@code norm_num_groups}, {@code scaling_factor})
 * where there is one, else SD's 32 and 0.18215.
 */
public final class LatentDecoders {
    /** Names of the random-weight presets ({@link #random}): SD's VAE and TAESD at full size. */
    public static final List<String> PRESETS = List.of("sd-vae", "taesd");
    /** The {@code --vae} prefix that asks for TAESD. */
    public static final String TAESD_PREFIX = "taesd:";

    private LatentDecoders() {
    }

    /** The preset {@code name} ({@link #PRESETS}) with random weights from {@code seed}. */
    public static LatentDecoder random(String name, long seed) {
        switch (name) {
            case "sd-vae":
                return SdVaeDecoder.random(SdVaeConfig.SD_VAE, seed);
            case "taesd":
                return TaesdDecoder.random(TaesdDecoder.CHANNELS, seed);
            default:
                throw new IllegalArgumentException("no VAE preset '" + name + "' (presets: " + String.join(", ", PRESETS) + ")");
        }
    }

    /** The decoder in {@code file} (.safetensors, .pt, .pth, .bin): AutoencoderKL or TAESD, told by the keys. */
    public static LatentDecoder load(Path file) throws IOException {
        StateDict weights = WeightsFiles.load(file);
        try {
            Map<?, ?> config = SdVaeLayout.prefix(weights) != null ? readConfig(file) : Map.of();
            return of(weights, config, String.valueOf(file.getFileName()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The decoder in {@code weights}, as {@link #load} reads a file's: AutoencoderKL or TAESD, told by the keys;
     * {@code config} is an AutoencoderKL's diffusers {@code config.json} (or an empty map).
     */
    static LatentDecoder of(StateDict weights, Map<?, ?> config, String source) {
        if (SdVaeLayout.prefix(weights) != null) {
            return SdVaeDecoder.of(sdConfig(weights, config), weights, source);
        }
        if (weights.contains("1.weight") || weights.contains("decoder.layers.0.weight")) {
            return TaesdDecoder.of(weights, source);
        }
        throw new IllegalArgumentException("no VAE decoder keys (expected 'decoder.conv_in.weight' of an"
                + " AutoencoderKL, '1.weight' of taesd_decoder.pth or 'decoder.layers.0.weight' of an AutoencoderTiny)");
    }

    /** TAESD from {@code file}, which must hold one. */
    public static LatentDecoder loadTaesd(Path file) throws IOException {
        StateDict weights = WeightsFiles.load(file);
        try {
            return TaesdDecoder.of(weights, String.valueOf(file.getFileName()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** {@code taesd:FILE}, a FILE, or with {@code randomWeights} a preset name. */
    public static LatentDecoder parse(String spec, boolean randomWeights, long seed) throws IOException {
        if (randomWeights) {
            return random(spec, seed);
        }
        if (PRESETS.contains(spec)) {
            throw new IllegalArgumentException("VAE preset '" + spec + "' has no weights: give a weights file, or"
                    + " random weights for timing");
        }
        return spec.startsWith(TAESD_PREFIX) ? loadTaesd(Path.of(spec.substring(TAESD_PREFIX.length())))
                : load(Path.of(spec));
    }

    /** diffusers' {@code config.json} beside {@code file}, or an empty map. */
    private static Map<?, ?> readConfig(Path file) throws IOException {
        Path json = file.resolveSibling("config.json");
        if (!Files.isRegularFile(json)) {
            return Map.of();
        }
        Object parsed = Json.parse(Files.readString(json));
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException(json + ": not a JSON object");
        }
        return (Map<?, ?>) parsed;
    }

    /** The AutoencoderKL config of {@code weights}: shapes from the weights, groups and scaling from {@code json}. */
    static SdVaeConfig sdConfig(StateDict weights, Map<?, ?> json) {
        UnaryOperator<String> key = SdVaeLayout.detect(weights).naming(weights);
        List<Integer> channels = new ArrayList<>();
        while (weights.contains(key.apply("decoder.up_blocks." + channels.size() + ".resnets.0.conv1.weight"))) {
            channels.add(0, weights.get(key.apply("decoder.up_blocks." + channels.size() + ".resnets.0.conv1.weight")).dim(0));
        }
        int resnets = 0;
        while (weights.contains(key.apply("decoder.up_blocks.0.resnets." + resnets + ".conv1.weight"))) {
            resnets++;
        }
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("missing key '" + key.apply("decoder.up_blocks.0.resnets.0.conv1.weight") + "'");
        }
        int latent = weights.get(key.apply("decoder.conv_in.weight")).dim(1);
        int out = weights.contains(key.apply("decoder.conv_out.weight")) ? weights.get(key.apply("decoder.conv_out.weight")).dim(0) : 3;
        int groups = number(json, "norm_num_groups", SdVaeConfig.SD_VAE.groups()).intValue();
        float scaling = number(json, "scaling_factor", SdVaeConfig.SD_VAE.scalingFactor()).floatValue();
        int[] boc = channels.stream().mapToInt(Integer::intValue).toArray();
        SdVaeConfig sd = SdVaeConfig.SD_VAE;
        String name = latent == sd.latentChannels() && java.util.Arrays.equals(boc, sd.blockOutChannels())
                && resnets == sd.layersPerBlock() + 1 && groups == sd.groups() ? sd.name() : "autoencoder-kl";
        return new SdVaeConfig(name, latent, out, boc, resnets - 1, groups, sd.eps(), scaling);
    }

    private static Number number(Map<?, ?> json, String key, Number fallback) {
        Object v = json.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("config.json: '" + key + "' is " + v + ", not a number");
        }
        return (Number) v;
    }
}
