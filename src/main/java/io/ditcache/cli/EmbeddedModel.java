package io.ditcache.cli;

import io.ditcache.cache.Router;
import io.ditcache.cache.ShippedRouters;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.ConfigInference;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.StateDict;
import java.io.IOException;

/**
 * The default model that ships inside the jar: {@link DiTConfig#FASHION_MNIST} trained here on Fashion-MNIST
 * (model card in the README), and its learned routers ({@link ShippedRouters}, usable from the library).
 */
final class EmbeddedModel {
    static final String DIR = ShippedRouters.RESOURCE_DIR;
    static final String WEIGHTS = DIR + "dit-fmnist.safetensors";

    private EmbeddedModel() {
    }

    /** The embedded model, unpacked (callers that only sample should {@link DiT#packWeights()} it). */
    static DiT load() throws IOException {
        StateDict sd = ShippedRouters.readResource(WEIGHTS, SafeTensors::read);
        return new DiT(ConfigInference.infer(sd, "embedded " + WEIGHTS, null), sd);
    }

    /** The shipped router for a method and step count, e.g. ("harmonica", 20) (see {@link ShippedRouters}). */
    static Router router(String method, int steps, DiT model) throws IOException {
        return ShippedRouters.load(ShippedRouters.name(method, steps), model, steps);
    }
}
