package io.ditcache.io;

import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;

/**
 * Reads PyTorch checkpoints written by {@code torch.save} (the zip format of PyTorch 1.6 and later:
 * {@code <name>/data.pkl}, {@code <name>/data/<key>} storages, optional {@code <name>/byteorder}).
 * The pickle is read with an allow-list (see {@link TorchUnpickler}): loading never runs code from the file.
 * Tensors of every dtype come back as float32 {@link Tensor}s, views materialized densely (broadcast views, which
 * would hold more elements than their storage, are refused).
 */
public final class TorchCheckpoint {
    private static final String PICKLE_NAME = "data.pkl";
    /** Largest data.pkl read (it is read into memory whole). */
    static final int MAX_PICKLE_BYTES = 256 << 20;
    /** Deepest nesting of containers accepted in the unpickled object; state dicts need 3 or 4. */
    static final int MAX_DEPTH = 256;

    private TorchCheckpoint() {
    }

    /**
     * The unpickled object as plain Java values: {@code Map} (insertion-ordered; keys as in Python, String or
     * Integer/Long), {@code List} (lists and tuples), {@link Tensor}, {@code Number} (Integer/Long/BigInteger/
     * Double), {@code String}, {@code Boolean}, {@code byte[]}, {@code Set}, or null. {@code argparse.Namespace}
     * becomes a Map of its attributes.
     */
    public static Object read(Path file) throws IOException {
        checkIsZip(file);
        try (ZipFile zip = openZip(file)) {
            String prefix = archivePrefix(file, zip);
            checkByteOrder(file, zip, prefix);
            try (InputStream pickle = zip.getInputStream(zip.getEntry(prefix + PICKLE_NAME))) {
                byte[] bytes = pickle.readNBytes(MAX_PICKLE_BYTES + 1);
                if (bytes.length > MAX_PICKLE_BYTES) {
                    throw new WeightsFormatException(file, prefix + PICKLE_NAME + " is larger than " + MAX_PICKLE_BYTES
                            + " bytes (torch.save's pickles are kilobytes; the tensors are stored beside it)");
                }
                return plain(new TorchUnpickler(file, zip, prefix).read(bytes), new IdentityHashMap<>(),
                        java.util.Collections.newSetFromMap(new IdentityHashMap<>()), 0);
            } catch (WeightsFormatException e) {
                throw e;
            } catch (UncheckedIOException e) {
                throw new WeightsFormatException(file, e.getMessage(), e.getCause());
            } catch (PickleException | IllegalArgumentException | ClassCastException | ArithmeticException
                    | IndexOutOfBoundsException | NullPointerException e) {
                throw new WeightsFormatException(file, e instanceof TorchUnpickler.RefusedGlobal ? e.getMessage()
                        : "cannot read " + prefix + PICKLE_NAME + ": " + why(e), e);
            } catch (IOException e) {
                throw new WeightsFormatException(file, "cannot read " + prefix + PICKLE_NAME + " (file truncated?): "
                        + why(e), e);
            }
        }
    }

    /**
     * The state dict in {@code file}: a top-level dict of tensors, or the dict under {@code "ema"} (preferred,
     * as DiT training saves both) or {@code "model"} of a training checkpoint.
     */
    public static StateDict readStateDict(Path file) throws IOException {
        Object root = read(file);
        if (root instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) root;
            for (String wrapper : new String[] {"ema", "model"}) {
                if (map.get(wrapper) instanceof Map) {
                    return toStateDict(file, wrapper + ".", (Map<?, ?>) map.get(wrapper));
                }
            }
        }
        return toStateDict(file, "", root);
    }

    /** The state dict stored under top-level key {@code key} (e.g. {@code "routers"}). */
    public static StateDict readStateDict(Path file, String key) throws IOException {
        Object root = read(file);
        if (!(root instanceof Map) || !((Map<?, ?>) root).containsKey(key)) {
            throw new WeightsFormatException(file, "no top-level key '" + key + "'"
                    + (root instanceof Map ? " (keys: " + ((Map<?, ?>) root).keySet() + ")" : ""));
        }
        return toStateDict(file, key + ".", ((Map<?, ?>) root).get(key));
    }

    private static StateDict toStateDict(Path file, String where, Object value) throws WeightsFormatException {
        if (!(value instanceof Map)) {
            throw new WeightsFormatException(file, (where.isEmpty() ? "the checkpoint" : "'" + where
                    .substring(0, where.length() - 1) + "'") + " is a " + typeName(value) + ", not a dict of tensors");
        }
        StateDict dict = new StateDict();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof Tensor)) {
                throw new WeightsFormatException(file, "key '" + where + e.getKey() + "' holds a "
                        + typeName(e.getValue()) + ", not a tensor: not a state dict");
            }
            dict.put((String) e.getKey(), (Tensor) e.getValue());
        }
        return dict;
    }

    private static void checkIsZip(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such checkpoint file");
        }
        switch (WeightsFormat.of(file)) {
            case TORCH_ZIP:
                return;
            case TORCH_LEGACY:
                throw new WeightsFormatException(file, "legacy (pre-1.6, non-zip) torch.save format, not supported: "
                        + "re-save it with a modern PyTorch (torch.save(torch.load(f), f2))");
            default:
                throw new WeightsFormatException(file, "not a PyTorch checkpoint (expected a torch.save zip archive, "
                        + "found " + (Files.size(file) == 0 ? "an empty file" : "no zip header") + ")");
        }
    }

    /** The archive; the file is known to be readable, so any failure here is a corrupt one (a bare EOF included). */
    private static ZipFile openZip(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (IOException e) {
            throw new WeightsFormatException(file, "not a readable zip archive (file truncated or corrupt?): "
                    + why(e), e);
        }
    }

    /** The archive's folder (torch.save uses the file's stem), found from its single data.pkl entry. */
    private static String archivePrefix(Path file, ZipFile zip) throws WeightsFormatException {
        List<String> names = new ArrayList<>();
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String name = en.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash >= 0 && name.substring(slash + 1).equals(PICKLE_NAME)) {
                names.add(name);
            }
        }
        if (names.size() != 1) {
            throw new WeightsFormatException(file, names.isEmpty()
                    ? "zip archive has no <name>/" + PICKLE_NAME + ": not a torch.save checkpoint"
                    : "zip archive has several pickles " + names + ": not a torch.save checkpoint");
        }
        return names.get(0).substring(0, names.get(0).length() - PICKLE_NAME.length());
    }

    private static void checkByteOrder(Path file, ZipFile zip, String prefix) throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry == null) {
            return; // older writers omit it; they wrote little-endian
        }
        String order;
        try (InputStream in = zip.getInputStream(entry)) {
            order = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new WeightsFormatException(file, "cannot read " + entry.getName() + " (file truncated or corrupt?): "
                    + why(e), e);
        }
        if (!order.equals("little")) {
            throw new WeightsFormatException(file, "byteorder is '" + order + "'; only little-endian "
                    + "checkpoints are supported");
        }
    }

    /**
     * Tuples to Lists and internal dict types to plain LinkedHashMaps, keeping shared references shared. Nesting
     * deeper than {@value #MAX_DEPTH} and cycles (a container inside itself) are refused: whoever walks the result,
     * its toString and equals included, would otherwise overflow the stack or loop forever.
     */
    private static Object plain(Object value, IdentityHashMap<Object, Object> done, java.util.Set<Object> open,
                                int depth) {
        if (!(value instanceof Object[]) && !(value instanceof Map) && !(value instanceof List)) {
            return value;
        }
        if (open.contains(value)) {
            throw new IllegalArgumentException("the pickle holds a cyclic structure (a container inside itself), "
                    + "which no checkpoint needs");
        }
        Object seen = done.get(value);
        if (seen != null) {
            return seen;
        }
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("containers nested deeper than " + MAX_DEPTH + " levels");
        }
        open.add(value);
        Object result;
        if (value instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            done.put(value, out);
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                out.put(e.getKey(), plain(e.getValue(), done, open, depth + 1));
            }
            result = out;
        } else {
            List<?> in = value instanceof List ? (List<?>) value : Arrays.asList((Object[]) value);
            List<Object> out = new ArrayList<>(in.size());
            done.put(value, out);
            for (Object o : in) {
                out.add(plain(o, done, open, depth + 1));
            }
            result = out;
        }
        open.remove(value);
        return result;
    }

    /** An exception's message, or its kind where it has none (a bare EOFException). */
    private static String why(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Map) {
            return "dict";
        }
        if (o instanceof List) {
            return "list";
        }
        return o.getClass().getSimpleName();
    }
}
