package io.ditcache.cli;

import io.ditcache.Cache;
import io.ditcache.InvalidSettingException;
import io.ditcache.SamplerSettings;
import io.ditcache.cache.CachePolicy;
import io.ditcache.cache.ShippedRouters;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * A {@code --cache} value (or one of eval's {@code --methods}) as the library's policy ({@link Cache#parse}), checked
 * against the step count before any model is loaded, its errors worded with the command line's flags.
 */
final class CacheOption {
    private CacheOption() {
    }

    /**
     * The policy {@code spec} names, resolved for the steps of {@code settings}; {@code flag} is the option it came
     * from. Warns when a router is used with another sampler or guidance scale than it was trained for.
     */
    static CachePolicy parse(String flag, String spec, Double threshold, SamplerSettings settings) throws IOException {
        CachePolicy policy;
        try {
            policy = Cache.parse(spec, threshold == null ? Double.NaN : threshold).forSteps(settings.steps());
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
        try {
            policy.samplerSteps(settings.steps());
        } catch (IllegalArgumentException e) {
            // Only fewer:K changes the step count.
            throw new IllegalArgumentException(flag + " " + policy.spec() + " runs more steps than --steps "
                    + settings.steps() + "; fewer:K needs K <= " + settings.steps(), e);
        }
        Preflight.warnIfOtherSettings(policy, settings);
        return policy;
    }
}
