package io.ditcache.io;

import java.io.IOException;
import java.nio.file.Path;

/** A weights file that cannot be read as what it claims to be; the message starts with the file name. */
public class WeightsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public WeightsFormatException(Path file, String message) {
        super(file + ": " + message);
    }

    public WeightsFormatException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
    }
}
