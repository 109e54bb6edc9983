package io.ditcache.io;

import java.util.List;
import java.util.Map;

/**
 * Typed, checked access to the fields of a parsed JSON object ({@link Json#parse}): a missing key or a value of the
 * wrong type is an {@link IllegalArgumentException} naming the file and the key.
 */
public final class JsonFields {
    private final Map<?, ?> map;
    private final String where;

    /** {@code value} must be a JSON object; {@code where} (a file name, a path of keys) prefixes every error. */
    public JsonFields(Object value, String where) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + ": expected a JSON object, got " + kind(value));
        }
        this.map = m;
        this.where = where;
    }

    /** The object itself. */
    public Map<?, ?> raw() {
        return map;
    }

    public boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    public String string(String key) {
        return get(key, String.class, "a string");
    }

    public long longValue(String key) {
        Object v = require(key);
        if (v instanceof Long l) {
            return l;
        }
        throw wrong(key, "an integer", v);
    }

    /** A number; JSON null reads as NaN (the project's writer writes non-finite numbers as null). */
    public double doubleValue(String key) {
        if (map.containsKey(key) && map.get(key) == null) {
            return Double.NaN;
        }
        return get(key, Number.class, "a number").doubleValue();
    }

    public List<?> list(String key) {
        return get(key, List.class, "an array");
    }

    public JsonFields object(String key) {
        return new JsonFields(require(key), where + ": " + key);
    }

    public double[] doubles(String key) {
        return doubles(require(key), where + ": " + key);
    }

    /** A JSON array of numbers as doubles; {@code where} names it in errors. */
    public static double[] doubles(Object value, String where) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(where + ": expected an array of numbers, got " + kind(value));
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new IllegalArgumentException(where + "[" + i + "]: expected a number, got " + kind(list.get(i)));
            }
            out[i] = n.doubleValue();
        }
        return out;
    }

    private <T> T get(String key, Class<T> type, String what) {
        Object v = require(key);
        if (!type.isInstance(v)) {
            throw wrong(key, what, v);
        }
        return type.cast(v);
    }

    private Object require(String key) {
        Object v = map.get(key);
        if (v == null) {
            throw new IllegalArgumentException(where + ": missing key '" + key + "'");
        }
        return v;
    }

    private IllegalArgumentException wrong(String key, String what, Object v) {
        return new IllegalArgumentException(where + ": '" + key + "' must be " + what + ", got " + kind(v));
    }

    private static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        return v instanceof String ? "a string" : v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + v;
    }
}
