package io.ditcache.io;

import io.ditcache.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file: per tensor its element type, shape and byte
 * range in the data section, plus the {@code __metadata__} string map. Validation is strict, so that a
 * truncated or hand-edited file fails here with the tensor's name rather than later as garbage weights.
 */
final class SafeTensorsHeader {
    static final String METADATA_KEY = "__metadata__";
    /** Most elements in one tensor: a Java array's limit. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Most bytes in one tensor's data: it is read into one buffer. */
    static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;
    /** Most dimensions of one tensor (PyTorch allows 64). */
    static final int MAX_RANK = 64;

    /** One tensor's header entry; {@code begin}/{@code end} are byte offsets into the data section. */
    record Entry(String name, ElementType type, int[] shape, long begin, long end) {
        int numel() {
            return (int) Tensor.numel(shape);
        }
    }

    final List<Entry> entries;
    final Map<String, String> metadata;

    private SafeTensorsHeader(List<Entry> entries, Map<String, String> metadata) {
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Parses {@code json} and checks every entry against a data section of {@code dataBytes} bytes. */
    static SafeTensorsHeader parse(Path file, String json, long dataBytes) throws WeightsFormatException {
        Object root;
        try {
            root = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(file, "header is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(root instanceof Map)) {
            throw new WeightsFormatException(file, "header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                entries.add(entry(file, name, e.getValue(), dataBytes));
            }
        }
        checkNoOverlap(file, entries);
        return new SafeTensorsHeader(entries, metadata);
    }

    private static void readMetadata(Path file, Object value, Map<String, String> into) throws WeightsFormatException {
        if (!(value instanceof Map)) {
            throw new WeightsFormatException(file, "'" + METADATA_KEY + "' is not a JSON object of strings");
        }
        for (Map.Entry<?, ?> m : ((Map<?, ?>) value).entrySet()) {
            if (!(m.getValue() instanceof String)) {
                throw new WeightsFormatException(file, "metadata '" + m.getKey() + "' is not a string");
            }
            into.put((String) m.getKey(), (String) m.getValue());
        }
    }

    private static Entry entry(Path file, String name, Object value, long dataBytes) throws WeightsFormatException {
        String where = "tensor '" + name + "'";
        if (!(value instanceof Map)) {
            throw new WeightsFormatException(file, where + " is not a JSON object");
        }
        Map<?, ?> fields = (Map<?, ?>) value;
        Object dtype = fields.get("dtype");
        ElementType type = dtype instanceof String ? ElementType.forSafetensorsName((String) dtype) : null;
        if (type == null) {
            throw new WeightsFormatException(file, where + " has unknown dtype " + dtype + " (known: "
                    + Arrays.toString(ElementType.values()) + ")");
        }
        long[] shapeLong = longs(file, where, "shape", fields.get("shape"), -1);
        long[] offsets = longs(file, where, "data_offsets", fields.get("data_offsets"), 2);
        if (shapeLong.length > MAX_RANK) {
            throw new WeightsFormatException(file, where + " has rank " + shapeLong.length + " (at most " + MAX_RANK
                    + " dimensions are accepted)");
        }
        int[] shape = new int[shapeLong.length];
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shapeLong[i] > Integer.MAX_VALUE) {
                throw new WeightsFormatException(file, where + " has a dimension too large: " + shapeLong[i]);
            }
            shape[i] = (int) shapeLong[i];
            empty |= shape[i] == 0;
        }
        long numel = empty ? 0 : 1;
        for (int i = 0; i < shape.length && !empty; i++) {
            numel *= shape[i]; // both factors < 2^31 and numel <= MAX_ELEMENTS here: no overflow
            if (numel > MAX_ELEMENTS) {
                throw new WeightsFormatException(file, where + " has shape " + Arrays.toString(shape)
                        + ", more elements than one Java array holds (" + MAX_ELEMENTS + ")");
            }
        }
        long begin = offsets[0];
        long end = offsets[1];
        String span = "data_offsets [" + begin + ", " + end + "]";
        if (end < begin) {
            throw new WeightsFormatException(file, where + " has " + span + " ending before they begin");
        }
        if (end > dataBytes) {
            throw new WeightsFormatException(file, where + " has " + span + " beyond the file end (data section "
                    + dataBytes + " bytes): file truncated?");
        }
        if (end - begin > MAX_TENSOR_BYTES) {
            throw new WeightsFormatException(file, where + " has " + span + " spanning " + (end - begin)
                    + " bytes, more than one tensor may (" + MAX_TENSOR_BYTES + ")");
        }
        if (numel * type.bytes != end - begin) {
            throw new WeightsFormatException(file, where + " has shape " + Arrays.toString(shape) + " of " + type
                    + " = " + numel * type.bytes + " bytes but " + span + " span " + (end - begin) + " bytes");
        }
        return new Entry(name, type, shape, begin, end);
    }

    /** A JSON array of non-negative integers ({@code length} of them unless negative). */
    private static long[] longs(Path file, String where, String field, Object value, int length)
            throws WeightsFormatException {
        if (!(value instanceof List) || (length >= 0 && ((List<?>) value).size() != length)) {
            throw new WeightsFormatException(file, where + " has no valid '" + field + "' (want a JSON array"
                    + (length >= 0 ? " of " + length : "") + " integers, got " + value + ")");
        }
        List<?> list = (List<?>) value;
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (!(v instanceof Long) || (Long) v < 0) {
                throw new WeightsFormatException(file, where + " has a bad '" + field + "' value " + v
                        + " (want a non-negative integer)");
            }
            out[i] = (Long) v;
        }
        return out;
    }

    private static void checkNoOverlap(Path file, List<Entry> entries) throws WeightsFormatException {
        List<Entry> byBegin = new ArrayList<>(entries);
        byBegin.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry previous = null;
        for (Entry e : byBegin) {
            if (e.begin() == e.end()) {
                continue; // empty tensors occupy no bytes
            }
            if (previous != null && e.begin() < previous.end()) {
                throw new WeightsFormatException(file, "tensors '" + previous.name() + "' [" + previous.begin() + ", "
                        + previous.end() + "] and '" + e.name() + "' [" + e.begin() + ", " + e.end()
                        + "] overlap in the data section");
            }
            previous = e;
        }
    }
}
