package io.ditcache.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets of the JSON reader behind safetensors headers: a parse or an {@code IllegalArgumentException} that
 * says where; and a string written and read back is itself. Regression tests over {@code JsonFuzzTestInputs/} in
 * {@code mvn verify}; fuzzing with {@code JAZZER_FUZZ=1} (see bench/results/fuzz-*.md).
 */
class JsonFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void parse(byte[] input) {
        try {
            Json.parse(new String(input, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith("invalid JSON at character "), e.getMessage());
        }
    }

    @FuzzTest(maxDuration = "60s")
    void writeRoundTrips(byte[] input) {
        String s = new String(input, StandardCharsets.UTF_8);
        assertEquals(s, Json.parse(Json.compact(s)));
    }
}
