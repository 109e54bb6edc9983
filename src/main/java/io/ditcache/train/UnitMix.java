package io.ditcache.train;

import io.ditcache.tensor.Tensor;
import java.util.function.BiConsumer;

/**
 * The router-training relaxation of L2C/HarmoniCa for one forward: unit k's output is
 * {@code u = w[k] * fresh + (1 - w[k]) * cached[k]} where {@code w[k]} is a number, and plain {@code fresh} where it is
 * NaN (unit not mixed). The cached tensors ([batch, tokens, hidden], the CFG batch included) are read during the
 * forward only (the tape keeps {@code fresh - cached}), so a cache may replace its slots as soon as the forward
 * returns. An optional observer sees every unit's output u (HarmoniCa's cache update stores the mixed output where
 * w > tau); it must not modify the array, which the tape may keep.
 *
 * @param weights  per unit, length {@code 2*depth}, NaN = not mixed; null = nothing mixed
 * @param cached   per unit, non-null where mixed
 * @param observer called with (unit, u) after each unit, or null
 */
public record UnitMix(float[] weights, Tensor[] cached, BiConsumer<Integer, Tensor> observer) {
    /** No mixing: the tape forward is the plain uncached forward. */
    public static final UnitMix NONE = new UnitMix(null, null, null);

    public static UnitMix of(float[] weights, Tensor[] cached) {
        return new UnitMix(weights, cached, null);
    }

    public UnitMix observing(BiConsumer<Integer, Tensor> unitObserver) {
        return new UnitMix(weights, cached, unitObserver);
    }

    public boolean isMixed(int unit) {
        return weights != null && !Float.isNaN(weights[unit]);
    }

    /** The lowest mixed unit, or {@code units} when none is. */
    int firstMixed(int units) {
        for (int k = 0; k < units; k++) {
            if (isMixed(k)) {
                return k;
            }
        }
        return units;
    }

    void check(int units, int unitNumel) {
        if (weights == null) {
            return;
        }
        if (weights.length != units || cached == null || cached.length != units) {
            throw new IllegalArgumentException("UnitMix: need " + units + " weights and cached slots, got "
                    + weights.length + " and " + (cached == null ? "null" : cached.length));
        }
        for (int k = 0; k < units; k++) {
            if (isMixed(k) && (cached[k] == null || cached[k].numel() != unitNumel)) {
                throw new IllegalArgumentException("UnitMix: unit " + k + " is mixed (w=" + weights[k] + ") but its cached "
                        + "tensor is " + (cached[k] == null ? "missing" : cached[k].shapeString())
                        + ", expected " + unitNumel + " elements [batch, tokens, hidden]");
            }
        }
    }
}
