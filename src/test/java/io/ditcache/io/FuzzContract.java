package io.ditcache.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What every fuzz target of a parser of untrusted files asserts: the input parses, or it is refused with an
 * {@link IOException} (such as {@link WeightsFormatException}) whose message names the file. Anything else, a
 * {@code StackOverflowError}, {@code OutOfMemoryError}, {@code NegativeArraySizeException}, an index or null
 * error, escapes the target, and Jazzer reports it as a finding (in regression mode the test fails).
 */
public final class FuzzContract {
    /** A parse of a file that may throw the documented exception. */
    @FunctionalInterface
    public interface FileParse {
        void parse(Path file) throws IOException;
    }

    private static final Map<String, Path> SCRATCH = new HashMap<>();

    private FuzzContract() {
    }

    /** Writes {@code content} to this JVM's scratch file of that suffix (one per suffix, rewritten per input). */
    public static synchronized Path scratch(String suffix, byte[] content) {
        try {
            Path file = SCRATCH.get(suffix);
            if (file == null) {
                file = Files.createTempFile("ditcache-fuzz-", suffix);
                file.toFile().deleteOnExit();
                SCRATCH.put(suffix, file);
            }
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code parse} on {@code content} written to a scratch file and checks the contract. */
    public static void parsedOrRefused(String suffix, byte[] content, FileParse parse) {
        parsedOrRefused(scratch(suffix, content), parse);
    }

    /** Runs {@code parse} on {@code file} and checks the contract. */
    public static void parsedOrRefused(Path file, FileParse parse) {
        try {
            parse.parse(file);
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains(file.toString())) {
                throw new AssertionError("a refusal names the file and says why, got: " + e, e);
            }
        }
    }
}
