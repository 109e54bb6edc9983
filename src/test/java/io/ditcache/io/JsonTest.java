package io.ditcache.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesNestedValuesInOrder() {
        Object v = Json.parse(" {\"b\": [1, -2, 3.5e1, true, false, null], \"a\": {\"s\": \"x\\\"\\\\\\u00e9\\n\"}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a"), List.copyOf(m.keySet()));
        List<?> b = (List<?>) m.get("b");
        assertEquals(1L, b.get(0));
        assertEquals(-2L, b.get(1));
        assertEquals(35.0, b.get(2));
        assertEquals(Boolean.TRUE, b.get(3));
        assertEquals(null, b.get(5));
        assertEquals("x\"\\\u00e9\n", ((Map<?, ?>) m.get("a")).get("s"));
    }

    @Test
    void writeRoundTrips() {
        String s = "tab\t quote\" backslash\\ ctrl\u0001 \u00e9";
        assertEquals(s, Json.parse(Json.compact(s)));
    }

    @Test
    void boundsNestingDepthInsteadOfOverflowingTheStack() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertTrue(Json.parse(ok) instanceof List);
        for (String deep : new String[] {"[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1),
            "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000),
            "[".repeat(1_000_000)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(deep));
            assertTrue(e.getMessage().contains("nested deeper than " + Json.MAX_DEPTH + " levels"), e.getMessage());
        }
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : new String[] {"{\"a\":1,\"a\":2}", "{\"a\":1} x", "{\"a\":}", "[1,", "\"abc", "{a:1}",
            "tru", "\"\\q\"", "-", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON at character"), e.getMessage());
        }
    }
}
