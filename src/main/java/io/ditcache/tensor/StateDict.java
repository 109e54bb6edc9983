package io.ditcache.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors in insertion order, as a PyTorch {@code state_dict}: the currency between the weight readers
 * and writers ({@code io}) and the model. Optional string metadata travels with it (safetensors {@code __metadata__}).
 *
 * <p>An entry may be <em>lazy</em> ({@link #putLazy}): its shape is known, its values are read (from a file, or
 * drawn) on each {@link #get} and not kept. A model built from lazy entries, packing each weight as it is read,
 * never holds the whole float copy: how a 2.7 GB checkpoint loads as 1.4 GB of bf16 panels.
 */
public final class StateDict {
    /** Makes a lazy entry's values. */
    @FunctionalInterface
    public interface Source {
        /** Writes the entry's values to {@code into[0 .. numel)} ({@code into} may be longer). */
        void read(float[] into) throws IOException;
    }

    private record Lazy(int[] shape, Source source) {
    }

    /** A {@link Tensor} or a {@link Lazy}. */
    private final Map<String, Object> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public StateDict put(String name, Tensor t) {
        tensors.put(name, t);
        return this;
    }

    /** A lazy entry of {@code shape} whose values {@code source} makes on each {@link #get} (not kept). */
    public StateDict putLazy(String name, int[] shape, Source source) {
        tensors.put(name, new Lazy(shape.clone(), source));
        return this;
    }

    /**
     * The tensor under {@code name} (a lazy entry is read now, and an I/O error surfaces as an
     * {@link UncheckedIOException}); a clear error names the key when it is missing.
     */
    public Tensor get(String name) {
        Object o = entry(name);
        if (o instanceof Lazy l) {
            float[] values = new float[Math.toIntExact(Tensor.numel(l.shape()))];
            read(l, values);
            return Tensor.of(values, l.shape());
        }
        return (Tensor) o;
    }

    /**
     * The values under {@code name}, for a caller that only reads them at once (e.g. to pack them): a held tensor's
     * own array, or a lazy entry read into {@code scratch} when it is long enough (else into a new array). The
     * array may be longer than the tensor.
     */
    public float[] read(String name, float[] scratch) {
        Object o = entry(name);
        if (o instanceof Lazy l) {
            int n = Math.toIntExact(Tensor.numel(l.shape()));
            float[] into = scratch != null && scratch.length >= n ? scratch : new float[n];
            read(l, into);
            return into;
        }
        return ((Tensor) o).data();
    }

    private static void read(Lazy l, float[] into) {
        try {
            l.source().read(into);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tensor under {@code name}, its shape checked against the expected one before anything is read. */
    public Tensor get(String name, int... expectedShape) {
        checkShape(name, expectedShape);
        return get(name);
    }

    /** The shape under {@code name}, without reading a lazy entry. */
    public int[] shape(String name) {
        Object o = entry(name);
        return o instanceof Lazy l ? l.shape().clone() : ((Tensor) o).shape();
    }

    /** A clear error naming the key and both shapes unless {@code name} has {@code expectedShape}. */
    public void checkShape(String name, int... expectedShape) {
        int[] shape = shape(name);
        if (!Arrays.equals(shape, expectedShape)) {
            throw new IllegalArgumentException("key '" + name + "' has shape " + Arrays.toString(shape)
                    + " but the model expects " + Arrays.toString(expectedShape));
        }
    }

    private Object entry(String name) {
        Object o = tensors.get(name);
        if (o == null) {
            throw new IllegalArgumentException("missing key '" + name + "' in weights");
        }
        return o;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** Every tensor, in order (lazy entries read now: all of them in memory at once). */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (String k : tensors.keySet()) {
            all.put(k, get(k));
        }
        return Collections.unmodifiableMap(all);
    }

    public int size() {
        return tensors.size();
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public long parameterCount() {
        long n = 0;
        for (String k : tensors.keySet()) {
            n += Tensor.numel(shape(k));
        }
        return n;
    }
}
