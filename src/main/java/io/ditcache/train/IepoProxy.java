package io.ditcache.train;

import java.util.Locale;

/**
 * How HarmoniCa's IEPO weight λ(t) is measured ({@code algorithms.md} C.4), both by gradient-free generations from
 * the current batch's noise and labels, mixing each unit softly with weight {@code w} (not thresholded) and
 * overwriting a cache slot only where {@code w > τ}:
 * <ul>
 *   <li>{@code paper}: λ(t) = mean((x0 − x0^(t))²), where x0 uses the current router at every step and x0^(t)
 *       the same except {@code w = 1} at step t (caching disabled at step t only).</li>
 *   <li>{@code cumulative} (the reference code's {@code get_lambda}): start from all {@code w = 1}; for
 *       t = N-2 … 0 switch step t's router on (keeping those switched on before) and take λ(t) as the mean squared
 *       change of the final sample; N generations in all.</li>
 * </ul>
 * Both use the mean over elements where the paper writes the squared Frobenius norm, so β means the same for both
 * (the norm is the mean times a constant, the sample size).
 * <p>Default: {@code paper} ({@link RouterTrainingConfig#DEFAULT_PROXY}): on the tiny Fashion-MNIST model it gave the
 * lower final-sample error against the uncached sample at every cache usage ratio measured
 * ({@code bench/results/router-training-methods*.md}).
 */
public enum IepoProxy {
    PAPER("paper"),
    CUMULATIVE("cumulative");

    private final String id;

    IepoProxy(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static IepoProxy parse(String name) {
        for (IepoProxy p : values()) {
            if (p.id.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown IEPO proxy '" + name + "'; known: paper, cumulative");
    }
}
