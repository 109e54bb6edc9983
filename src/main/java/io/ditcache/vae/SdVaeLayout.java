package io.ditcache.vae;

import io.ditcache.tensor.StateDict;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key namings of an AutoencoderKL decoder's weights, all mapped to diffusers' current names: diffusers
 * ({@code mid_block.attentions.0.to_q/to_k/to_v/to_out.0}), diffusers before 0.14 ({@code query/key/value/proj_attn})
 * and the original CompVis / Stable Diffusion checkpoints ({@code decoder.mid.block_1}, {@code mid.attn_1.q},
 * {@code up.3.block.0} for {@code up_blocks.0.resnets.0}, {@code nin_shortcut}, {@code norm_out}). Any prefix before
 * {@code decoder.} is kept ({@code first_stage_model.} in a whole SD checkpoint, {@code vae.}).
 */
public enum SdVaeLayout {
    DIFFUSERS("decoder.mid_block.attentions.0.to_q.weight"),
    DIFFUSERS_LEGACY_ATTENTION("decoder.mid_block.attentions.0.query.weight"),
    COMPVIS("decoder.mid.attn_1.q.weight");

    private static final String ANCHOR = "decoder.conv_in.weight";
    private static final Pattern UP_RESNET = Pattern.compile("^decoder\\.up_blocks\\.(\\d+)\\.resnets\\.");
    private static final Pattern UP_SAMPLER = Pattern.compile("^decoder\\.up_blocks\\.(\\d+)\\.upsamplers\\.0\\.");
    private final String marker;

    SdVaeLayout(String marker) {
        this.marker = marker;
    }

    /** The prefix before {@code decoder.conv_in.weight} in {@code weights}, or null when no key ends so. */
    static String prefix(StateDict weights) {
        for (String k : weights.keys()) {
            if (k.endsWith(ANCHOR) && (k.length() == ANCHOR.length() || k.charAt(k.length() - ANCHOR.length() - 1) == '.')) {
                return k.substring(0, k.length() - ANCHOR.length());
            }
        }
        return null;
    }

    /** The layout of {@code weights}; an IllegalArgumentException when it is no AutoencoderKL decoder. */
    public static SdVaeLayout detect(StateDict weights) {
        String prefix = prefix(weights);
        if (prefix != null) {
            for (SdVaeLayout l : values()) {
                if (weights.contains(prefix + l.marker)) {
                    return l;
                }
            }
        }
        throw new IllegalArgumentException("not an AutoencoderKL decoder: no key '" + (prefix == null ? "" : prefix)
                + (prefix == null ? ANCHOR : DIFFUSERS.marker) + "' (nor the older or CompVis attention names)");
    }

    /** Canonical (diffusers) name to the key in {@code weights}. */
    UnaryOperator<String> naming(StateDict weights) {
        String prefix = prefix(weights);
        switch (this) {
            case DIFFUSERS:
                return name -> prefix + name;
            case DIFFUSERS_LEGACY_ATTENTION:
                return name -> prefix + name.replace(".to_q.", ".query.").replace(".to_k.", ".key.")
                        .replace(".to_v.", ".value.").replace(".to_out.0.", ".proj_attn.");
            default:
                int blocks = compvisUpBlocks(weights, prefix);
                return name -> prefix + compvis(name, blocks);
        }
    }

    private static int compvisUpBlocks(StateDict weights, String prefix) {
        String head = prefix + "decoder.up.";
        int max = -1;
        for (String k : weights.keys()) {
            int dot = k.startsWith(head) ? k.indexOf('.', head.length()) : -1;
            if (dot > head.length() && k.substring(head.length(), dot).chars().allMatch(Character::isDigit)) {
                max = Math.max(max, Integer.parseInt(k.substring(head.length(), dot)));
            }
        }
        return max + 1;
    }

    /** A canonical name in the CompVis naming, with {@code blocks} up blocks (numbered from the image end there). */
    static String compvis(String name, int blocks) {
        Matcher r = UP_RESNET.matcher(name);
        if (r.find()) {
            int i = blocks - 1 - Integer.parseInt(r.group(1));
            return r.replaceFirst("decoder.up." + i + ".block.").replace(".conv_shortcut.", ".nin_shortcut.");
        }
        Matcher s = UP_SAMPLER.matcher(name);
        if (s.find()) {
            return s.replaceFirst("decoder.up." + (blocks - 1 - Integer.parseInt(s.group(1))) + ".upsample.");
        }
        return name.replace("decoder.mid_block.resnets.0.", "decoder.mid.block_1.")
                .replace("decoder.mid_block.resnets.1.", "decoder.mid.block_2.")
                .replace("decoder.mid_block.attentions.0.group_norm.", "decoder.mid.attn_1.norm.")
                .replace("decoder.mid_block.attentions.0.to_q.", "decoder.mid.attn_1.q.")
                .replace("decoder.mid_block.attentions.0.to_k.", "decoder.mid.attn_1.k.")
                .replace("decoder.mid_block.attentions.0.to_v.", "decoder.mid.attn_1.v.")
                .replace("decoder.mid_block.attentions.0.to_out.0.", "decoder.mid.attn_1.proj_out.")
                .replace("decoder.conv_norm_out.", "decoder.norm_out.");
    }
}
