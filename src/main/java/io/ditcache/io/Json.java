package io.ditcache.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The project's one JSON reader and writer, on Jackson. Reading is strict and bounded: objects keep key order,
 * duplicate keys and trailing text are errors, nesting deeper than {@value #MAX_DEPTH} levels is refused (a
 * safetensors header needs 3), integers become {@link Long} (or {@code BigInteger} past 64 bits), other numbers
 * {@link Double}. Writing takes maps, lists, strings, numbers, booleans, null and {@link #number} texts.
 */
public final class Json {
    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 64;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** Two-space indented objects, {@code "key": value}, arrays on one line: {@code [1, 2]}. */
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withArrayValueSpacing(Separators.Spacing.AFTER)
            .withArrayEmptySeparator("")
            .withObjectEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance));

    private Json() {
    }

    /** Parses one JSON value filling {@code text} (surrounding whitespace allowed). */
    public static Object parse(String text) {
        JsonParser p = null;
        try {
            p = MAPPER.createParser(text);
            return longs(MAPPER.readValue(p, Object.class));
        } catch (StreamConstraintsException e) {
            // No location of its own: the limit broke at the parser's current token.
            String what = e.getMessage().contains("nesting depth") ? "nested deeper than " + MAX_DEPTH + " levels"
                    : e.getOriginalMessage();
            throw error(p == null ? null : p.currentTokenLocation(), what, e);
        } catch (JacksonException e) {
            String what = e.getOriginalMessage();
            throw error(e.getLocation(), what.startsWith("Duplicate field ") ? "duplicate key "
                    + what.substring("Duplicate field ".length()) : what, e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a String source does no I/O
        }
    }

    /** {@code v} with every Integer made a Long (Jackson reads small integers as Integer). */
    private static Object longs(Object v) {
        if (v instanceof Integer) {
            return ((Integer) v).longValue();
        }
        if (v instanceof Map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            m.replaceAll((k, x) -> longs(x));
        } else if (v instanceof List) {
            @SuppressWarnings("unchecked")
            List<Object> l = (List<Object>) v;
            l.replaceAll(Json::longs);
        }
        return v;
    }

    /** {@code value} as compact JSON (no spaces). */
    public static String compact(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code value} as indented JSON, ending in a newline. */
    public static String pretty(Object value) {
        try {
            return PRETTY.writeValueAsString(value) + "\n";
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes {@link #pretty} of {@code value} to {@code file} atomically. */
    public static void write(Path file, Object value) throws IOException {
        byte[] text = pretty(value).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> {
            ByteBuffer bytes = ByteBuffer.wrap(text);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        });
    }

    /** A number written as {@code String.format(Locale.ROOT, format, v)} (e.g. "%.6g"), or null where not finite. */
    public static Object number(String format, double v) {
        return Double.isFinite(v) ? new RawValue(String.format(Locale.ROOT, format, v)) : null;
    }

    private static IllegalArgumentException error(JsonLocation at, String what, Exception cause) {
        return new IllegalArgumentException("invalid JSON at character " + (at == null ? -1 : at.getCharOffset()) + ": "
                + what, cause);
    }
}
