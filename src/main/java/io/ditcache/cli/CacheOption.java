package io.ditcache.cli;

import io.ditcache.Cache;
import io.ditcache.InvalidSettingException;
import io.ditcache.Method;
import io.ditcache.SamplerSettings;
import io.ditcache.cache.CachePolicy;
import io.ditcache.cache.ShippedRouters;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * A {@code --cache} value (or one of eval's {@code --methods}) as the library's method ({@link Cache#parseMethod}: a
 * policy, or {@code fewer:K}), checked against the step count before any model is loaded, its errors worded with the
 * command line's flags.
 */
final class CacheOption {
    private CacheOption() {
    }

    /**
     * The method {@code spec} names, its policy resolved for the steps it runs; {@code flag} is the option it came
     * from. Prints the library's warnings about it ({@link Preflight#warnAbout}): a router used with another sampler or
     * guidance scale than it was trained for, or one without a model fingerprint.
     */
    static Method parse(String flag, String spec, Double threshold, SamplerSettings settings) throws IOException {
        Method method;
        try {
            method = Cache.parseMethod(spec, threshold == null ? Double.NaN : threshold);
        } catch (NoSuchFileException e) {
            NoSuchFileException named = new NoSuchFileException(e.getFile(), null, "no such router file (" + flag + " "
                    + spec + "), nor a shipped router of that name; shipped routers (for --model default): "
                    + ShippedRouters.list());
            named.initCause(e);
            throw named;
        } catch (InvalidSettingException e) {
            if (!e.setting().equals("cache")) {
                throw e;
            }
            throw new IllegalArgumentException(flag + e.getMessage().substring("cache".length()), e);
        }
        if (method.fewerSteps() > settings.steps()) {
            throw new IllegalArgumentException(flag + " fewer:" + method.fewerSteps() + " runs more steps than --steps "
                    + settings.steps() + "; fewer:K needs K <= " + settings.steps());
        }
        SamplerSettings run = settings.withFewerSteps(method.fewerSteps());
        CachePolicy policy = method.cache().forSteps(run.runSteps());
        Preflight.warnAbout(policy, run);
        return new Method(policy, method.fewerSteps());
    }
}
