package io.ditcache.cache;

import java.util.Locale;

/**
 * How a learned router's scores become a plan, besides the threshold rule "unit computed where
 * sigmoid(logit) > threshold":
 * <ul>
 *   <li>{@code l2c} (Learning-to-Cache): odd spaced indices are full steps that compute every unit; the router is
 *       used only at even indices (cache steps);</li>
 *   <li>{@code harmonica} (HarmoniCa): the router is used at every step except the first sampling step
 *       (spaced index N-1), which always computes everything.</li>
 * </ul>
 */
public enum RouterMethod {
    L2C("l2c"),
    HARMONICA("harmonica");

    private final String id;

    RouterMethod(String id) {
        this.id = id;
    }

    /** The lower-case name used in files and on the command line. */
    public String id() {
        return id;
    }

    /** Whether spaced step {@code step} of an N-step trajectory computes every unit regardless of the router. */
    public boolean fullStep(int step, int steps) {
        return this == L2C ? step % 2 == 1 : step == steps - 1;
    }

    /** The method named {@code name} (case-insensitive); a clear error lists the known ones. */
    public static RouterMethod parse(String name) {
        for (RouterMethod m : values()) {
            if (m.id.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown router method '" + name + "'; known: l2c, harmonica");
    }
}
