package io.ditcache.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors in insertion order, as a PyTorch {@code state_dict}: the currency between the weight readers
 * and writers ({@code io}) and the model. Optional string metadata travels with it (safetensors {@code __metadata__}).
 */
public final class StateDict {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public StateDict put(String name, Tensor t) {
        tensors.put(name, t);
        return this;
    }

    /** The tensor under {@code name}; a clear error names the key when it is missing. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("missing key '" + name + "' in weights");
        }
        return t;
    }

    /** The tensor under {@code name}, checked against the expected shape. */
    public Tensor get(String name, int... expectedShape) {
        Tensor t = get(name);
        if (!java.util.Arrays.equals(t.shape(), expectedShape)) {
            throw new IllegalArgumentException("key '" + name + "' has shape " + t.shapeString()
                    + " but the model expects " + java.util.Arrays.toString(expectedShape));
        }
        return t;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public int size() {
        return tensors.size();
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.numel();
        }
        return n;
    }
}
