package io.ditcache.cache;

import io.ditcache.model.DiT;

/**
 * {@code router:FILE} at threshold T: a learned router's plan ({@link Router#plan}); a unit is computed where
 * sigmoid(logit) > T, plus the method's forced full steps (L2C: odd spaced indices; HarmoniCa: the first step).
 *
 * @param router    the loaded router
 * @param source    where it came from (the file), for messages and {@link #spec()}
 * @param threshold T in [0, 1], or NaN for the router's default threshold
 */
public record RouterPolicy(Router router, String source, double threshold) implements StaticPolicy {
    /** The threshold in effect. */
    public double effectiveThreshold() {
        return Double.isNaN(threshold) ? router.defaultThreshold() : threshold;
    }

    @Override
    public String spec() {
        return "router:" + source;
    }

    /** Whether the router is one shipped with the embedded model, named by its name (no file of that name). */
    public boolean shipped() {
        return ShippedRouters.NAMES.contains(source) && !java.nio.file.Files.exists(java.nio.file.Path.of(source));
    }

    @Override
    public void checkFits(DiT model, int steps) {
        try {
            router.checkFits(model, steps, source);
        } catch (IllegalArgumentException e) {
            if (shipped()) {
                throw new IllegalArgumentException(e.getMessage() + " (" + source + " is a shipped router, made for the"
                        + " embedded model, 'default')", e);
            }
            throw e;
        }
    }

    @Override
    public CachePlan plan(int steps, int units) {
        if (steps != router.steps() || units != router.units()) {
            throw new IllegalArgumentException(source + ": router is for " + router.steps() + " steps x "
                    + router.units() + " units, asked for " + steps + " x " + units);
        }
        return router.plan(effectiveThreshold());
    }
}
