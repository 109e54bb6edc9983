package io.ditcache.train;

import io.ditcache.cache.RouterMethod;
import java.util.Locale;

/**
 * How a router is trained ({@code algorithms.md} sections B and C):
 * <ul>
 *   <li>{@code l2c}: Learning-to-Cache. Odd spaced indices are full steps; only the routers of the even (cache) steps
 *       train, on noised training images, with the objective {@code MSE + β Σ sigmoid}.</li>
 *   <li>{@code harmonica}: Step-Wise Denoising Training on the student's own trajectory with the Image Error
 *       Proxy-Guided Objective {@code λ(t) MSE + β Σ sigmoid}; no images needed.</li>
 *   <li>{@code sdt}: the paper's ablation, SDT with the plain L2C objective ({@code λ ≡ 1}).</li>
 * </ul>
 * SDT routers use HarmoniCa's inference rule (first step full, router everywhere else), so both {@code harmonica} and
 * {@code sdt} save as {@link RouterMethod#HARMONICA}; the trainer is recorded in the provenance ({@code trainer}).
 */
public enum RouterTrainingMethod {
    L2C("l2c", RouterMethod.L2C),
    HARMONICA("harmonica", RouterMethod.HARMONICA),
    SDT("sdt", RouterMethod.HARMONICA);

    private final String id;
    private final RouterMethod inferenceRule;

    RouterTrainingMethod(String id, RouterMethod inferenceRule) {
        this.id = id;
        this.inferenceRule = inferenceRule;
    }

    /** The lower-case name used on the command line and in provenance. */
    public String id() {
        return id;
    }

    /** How the trained router is applied at sampling time. */
    public RouterMethod inferenceRule() {
        return inferenceRule;
    }

    /** Whether training follows the student's own trajectory (SDT) rather than noised images (L2C). */
    public boolean stepWise() {
        return this != L2C;
    }

    /** Whether the router of spaced step {@code step} receives gradients (the others keep their initial logits). */
    public boolean trains(int step, int steps) {
        return !inferenceRule.fullStep(step, steps);
    }

    public static RouterTrainingMethod parse(String name) {
        for (RouterTrainingMethod m : values()) {
            if (m.id.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown training method '" + name + "'; known: harmonica, l2c, sdt");
    }
}
