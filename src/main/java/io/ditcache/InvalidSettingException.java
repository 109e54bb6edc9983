package io.ditcache;

/**
 * A setting of the library (a model, a cache policy, a step count, ...) with a value it cannot use. The message
 * starts with the setting's name and reads on its own ({@code steps must be in [1, 1000], got 0}); a front end that
 * has an option of that name can point at it (the command line writes {@code --steps must be ...}).
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private final String setting;

    /** @param message the whole message; it must start with {@code setting} */
    public InvalidSettingException(String setting, String message) {
        this(setting, message, null);
    }

    public InvalidSettingException(String setting, String message, Throwable cause) {
        super(message, cause);
        if (!message.startsWith(setting)) {
            throw new IllegalArgumentException("message '" + message + "' does not start with its setting '" + setting + "'");
        }
        this.setting = setting;
    }

    /**
     * The setting's name: model, heads, input size, sampler, steps, fewer steps, cfg, cache, threshold, labels, noise
     * or threads.
     */
    public String setting() {
        return setting;
    }
}
