package io.ditcache.cache;

import io.ditcache.model.DiT;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code router:harmonica} or {@code router:l2c}: the routers of one method that ship with the embedded model, one per
 * step count ({@link ShippedRouters#STEPS}). A router's logits have one row per step, so an N-step trajectory uses
 * the one trained for N ({@link #forSteps}); a step count without one is refused, naming those there are.
 *
 * @param method    the routers' method
 * @param threshold T in [0, 1], or NaN for each router's default threshold
 */
public record ShippedRouterSet(RouterMethod method, double threshold) implements CachePolicy {
    @Override
    public String spec() {
        return "router:" + method.id();
    }

    /** The shipped router of this method trained for {@code steps} steps. */
    @Override
    public RouterPolicy forSteps(int steps) {
        if (!ShippedRouters.STEPS.contains(steps)) {
            throw new IllegalArgumentException(spec() + ": no " + method.id() + " router ships for " + steps
                    + " sampling steps; the shipped ones are for " + ShippedRouters.STEPS + " steps");
        }
        String name = ShippedRouters.name(method.id(), steps);
        try {
            return new RouterPolicy(ShippedRouters.load(name), name, threshold);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void checkFits(DiT model, int steps) {
        forSteps(steps).checkFits(model, steps);
    }

    @Override
    public CacheSchedule start(int steps, int units) {
        return forSteps(steps).start(steps, units);
    }
}
