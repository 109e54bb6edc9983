package io.ditcache.tensor;

import java.util.Locale;

/**
 * How a packed weight is stored: {@link #FP32} as loaded, or {@link #BF16} (half the memory: each weight rounded to
 * bfloat16, {@link Bf16}, and widened back to float block by block as the GEMM reads it; the arithmetic stays fp32).
 * A bf16 model computes exactly what the fp32 model computes with its weights rounded to bf16.
 */
public enum WeightPrecision {
    FP32, BF16;

    /** Bytes per stored weight. */
    public int bytes() {
        return this == FP32 ? 4 : 2;
    }

    /** The name {@code --weights} takes: {@code fp32} or {@code bf16}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code fp32} or {@code bf16} (any case); a clear error for anything else. */
    public static WeightPrecision parse(String s) {
        for (WeightPrecision p : values()) {
            if (p.label().equalsIgnoreCase(s == null ? "" : s.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("weight precision '" + s + "': expected fp32 or bf16");
    }
}
