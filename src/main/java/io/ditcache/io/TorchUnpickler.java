package io.ditcache.io;

import io.ditcache.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Unpickles the {@code data.pkl} of a torch.save archive with an allow-list of globals, in the spirit of
 * PyTorch's {@code weights_only=True}: only tensors, their storages and plain containers can be built.
 * Every GLOBAL / STACK_GLOBAL / INST opcode is resolved here, so a pickle naming anything else (such as
 * {@code os.system} in a {@code __reduce__} payload) fails before any object is made, and nothing from the
 * file is ever executed. Dicts keep their order (the razorvine defaults use HashMap).
 *
 * <p>Malformed input fails as a {@link PickleException}, never as a JVM error: every length-prefixed opcode's
 * length is checked against the bytes that remain before anything is allocated, the unpickling stack is bounded
 * ({@value #MAX_STACK} entries), and unhashable dict keys and set members (lists, dicts, sets: unhashable in Python
 * too) are refused, so no hashCode recursion runs over file-controlled structures. Nesting depth is bounded where the
 * result is walked ({@link TorchCheckpoint}).
 */
final class TorchUnpickler extends Unpickler {
    /** Thrown for a global outside the allow-list. */
    static final class RefusedGlobal extends PickleException {
        private static final long serialVersionUID = 1L;

        RefusedGlobal(String global) {
            super("refusing to load pickled global '" + global
                    + "' (only tensors and plain containers are allowed)");
        }
    }

    /** A Python {@code collections.OrderedDict}; BUILD state (such as a state_dict's _metadata) is dropped. */
    private static final class OrderedDictValue extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    /** An {@code argparse.Namespace}; BUILD fills it with the attributes. */
    private static final class NamespaceValue extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    /** A storage class such as {@code torch.FloatStorage}: only a tag inside persistent ids. */
    private static final class StorageClass implements IObjectConstructor {
        final ElementType type;

        StorageClass(ElementType type) {
            this.type = type;
        }

        @Override
        public Object construct(Object[] args) {
            throw new PickleException("storage classes cannot be called in a pickle");
        }
    }

    private static final Map<String, IObjectConstructor> ALLOWED = new HashMap<>();

    static {
        ALLOWED.put("collections.OrderedDict", args -> {
            if (args.length != 0) {
                throw new PickleException("OrderedDict with constructor arguments is not supported");
            }
            return new OrderedDictValue();
        });
        ALLOWED.put("argparse.Namespace", args -> new NamespaceValue());
        ALLOWED.put("torch._utils._rebuild_tensor", TorchUnpickler::rebuildTensor);
        ALLOWED.put("torch._utils._rebuild_tensor_v2", TorchUnpickler::rebuildTensor);
        ALLOWED.put("torch._utils._rebuild_parameter", args -> (Tensor) args[0]);
        ALLOWED.put("torch._utils._rebuild_parameter_with_state", args -> (Tensor) args[0]);
        ALLOWED.put("torch.Size", args -> new ArrayList<>(asList(args[0])));
        ALLOWED.put("builtins.set", args -> new LinkedHashSet<>(args.length == 0 ? List.of()
                : hashable(asList(args[0]), "set member")));
        ALLOWED.put("builtins.frozenset", ALLOWED.get("builtins.set"));
        String[][] storages = {{"Float", "F32"}, {"Half", "F16"}, {"BFloat16", "BF16"}, {"Double", "F64"},
            {"Long", "I64"}, {"Int", "I32"}, {"Short", "I16"}, {"Char", "I8"}, {"Byte", "U8"}, {"Bool", "BOOL"}};
        for (String[] s : storages) {
            ALLOWED.put("torch." + s[0] + "Storage", new StorageClass(ElementType.valueOf(s[1])));
        }
    }

    /** Most entries on the unpickling stack; torch.save's pickles need a few thousand (SETITEMS batches of 1000). */
    static final int MAX_STACK = 1 << 20;

    private final Path file;
    private final ZipFile zip;
    private final String prefix;
    private final TorchStorage.Budget budget = new TorchStorage.Budget();
    private ByteArrayInputStream data;
    private int length;

    TorchUnpickler(Path file, ZipFile zip, String prefix) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
    }

    /** Unpickles {@code pickle}, a whole pickle in memory (so that declared lengths can be checked against it). */
    Object read(byte[] pickle) throws IOException {
        data = new ByteArrayInputStream(pickle);
        length = pickle.length;
        return load(data);
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        int at = length - data.available() - 1;
        Object result;
        try {
            result = dispatchChecked(key);
        } catch (IndexOutOfBoundsException e) {
            throw new PickleException(String.format(java.util.Locale.ROOT, "opcode 0x%02x at byte %d finds too few"
                    + " values on the unpickling stack (corrupt pickle)", key, at));
        }
        if (stack.size() > MAX_STACK) {
            throw new PickleException("the unpickling stack exceeds " + MAX_STACK + " entries at byte "
                    + (length - data.available()) + " (corrupt or hostile pickle)");
        }
        return result;
    }

    private Object dispatchChecked(short key) throws IOException {
        switch (key) {
            case Opcodes.SHORT_BINSTRING:
            case Opcodes.SHORT_BINUNICODE:
            case Opcodes.SHORT_BINBYTES:
            case Opcodes.LONG1:
                checkLength(key, 1, false);
                return super.dispatch(key);
            case Opcodes.BINSTRING:
            case Opcodes.LONG4:
                checkLength(key, 4, true);
                return super.dispatch(key);
            case Opcodes.BINUNICODE:
            case Opcodes.BINBYTES:
                checkLength(key, 4, false);
                return super.dispatch(key);
            case Opcodes.BINUNICODE8:
            case Opcodes.BINBYTES8:
            case Opcodes.BYTEARRAY8:
            case Opcodes.FRAME:
                checkLength(key, 8, false);
                return super.dispatch(key);
            case Opcodes.EMPTY_SET:
                stack.add(new LinkedHashSet<>());
                return NO_RETURN_VALUE;
            case Opcodes.FROZENSET: {
                List<Object> items = stack.pop_all_since_marker();
                stack.add(new LinkedHashSet<>(hashable(items, "set member")));
                return NO_RETURN_VALUE;
            }
            case Opcodes.ADDITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                Object top = stack.peek();
                if (!(top instanceof Set)) {
                    throw new PickleException("ADDITEMS on a " + describe(top));
                }
                @SuppressWarnings("unchecked")
                Set<Object> set = (Set<Object>) top;
                set.addAll(hashable(items, "set member"));
                return NO_RETURN_VALUE;
            }
            case Opcodes.GLOBAL: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolve(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL: {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(name instanceof String) || !(module instanceof String)) {
                    throw new PickleException("STACK_GLOBAL needs two strings, got " + describe(module) + " and "
                            + describe(name));
                }
                stack.add(resolve((String) module, (String) name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST: {
                IObjectConstructor constructor = resolve(PickleUtils.readline(input), PickleUtils.readline(input));
                stack.add(constructor.construct(stack.pop_all_since_marker().toArray()));
                return NO_RETURN_VALUE;
            }
            case Opcodes.BUILD:
                build(stack.pop(), stack.peek());
                return NO_RETURN_VALUE;
            case Opcodes.EMPTY_DICT:
                stack.add(new LinkedHashMap<>());
                return NO_RETURN_VALUE;
            case Opcodes.DICT: {
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, stack.pop_all_since_marker());
                stack.add(dict);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                putPairs(dictOnStack(), items);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEM: {
                Object value = stack.pop();
                Object k = hashable(stack.pop(), "dict key");
                dictOnStack().put(k, value);
                return NO_RETURN_VALUE;
            }
            default:
                return super.dispatch(key);
        }
    }

    /**
     * Checks the {@code width}-byte little-endian length that follows {@code opcode} against the bytes left
     * after it, without consuming it: a corrupt length fails here instead of as a negative or huge allocation.
     */
    private void checkLength(short opcode, int width, boolean signed) throws PickleException {
        int remaining = data.available();
        if (remaining < width) {
            // The library would read the missing length as -1 (SHORT_BINSTRING: new byte[-1]).
            throw new PickleException(String.format(java.util.Locale.ROOT, "opcode 0x%02x at byte %d: the pickle ends"
                    + " inside its %d-byte length (truncated)", opcode, length - remaining - 1, width));
        }
        data.mark(width);
        long n = 0;
        for (int i = 0; i < width; i++) {
            n |= (long) (data.read() & 0xff) << (8 * i);
        }
        data.reset();
        if (signed && width == 4) {
            n = (int) n;
        }
        long left = remaining - width;
        if (n < 0 || n > left) {
            throw new PickleException(String.format(java.util.Locale.ROOT, "opcode 0x%02x at byte %d declares %s bytes"
                    + " but only %d follow (truncated or corrupt pickle)", opcode, length - remaining - 1,
                    signed ? Long.toString(n) : Long.toUnsignedString(n), left));
        }
    }

    /** {@code key} if it can be a Python dict key or set member (lists, dicts and sets cannot). */
    private static Object hashable(Object key, String what) {
        if (key instanceof List || key instanceof Map || key instanceof Set) {
            throw new PickleException("unhashable " + what + " of type " + (key instanceof List ? "list"
                    : key instanceof Map ? "dict" : "set"));
        }
        return key;
    }

    private static List<Object> hashable(List<Object> items, String what) {
        for (Object o : items) {
            hashable(o, what);
        }
        return items;
    }

    /** Persistent ids are ('storage', storage class, key, location, numel). */
    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[]) || ((Object[]) pid).length < 3 || !"storage".equals(((Object[]) pid)[0])
                || !(((Object[]) pid)[1] instanceof StorageClass)) {
            throw new PickleException("unsupported persistent id " + describe(pid));
        }
        Object[] id = (Object[]) pid;
        return new TorchStorage(file, zip, prefix, String.valueOf(id[2]), ((StorageClass) id[1]).type, budget);
    }

    private static IObjectConstructor resolve(String module, String name) {
        IObjectConstructor constructor = ALLOWED.get(module + "." + name);
        if (constructor == null) {
            throw new RefusedGlobal(module + "." + name);
        }
        return constructor;
    }

    /** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof TorchStorage)) {
            throw new PickleException("malformed tensor record " + describe(args));
        }
        List<Object> size = asList(args[2]);
        List<Object> stride = asList(args[3]);
        int[] sizes = new int[size.size()];
        long[] strides = new long[stride.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = Math.toIntExact(exactLong(size.get(i), "size"));
        }
        for (int i = 0; i < strides.length; i++) {
            strides[i] = exactLong(stride.get(i), "stride");
        }
        return ((TorchStorage) args[0]).view(exactLong(args[1], "storage offset"), sizes, strides);
    }

    /** {@code o} as a long: an int, a long, or a Python long in range (never silently truncated). */
    private static long exactLong(Object o, String what) {
        if (o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        if (o instanceof java.math.BigInteger && ((java.math.BigInteger) o).bitLength() < 64) {
            return ((java.math.BigInteger) o).longValue();
        }
        throw new PickleException("tensor " + what + " " + describe(o) + " is not an integer of 64 bits");
    }

    private static void build(Object state, Object target) {
        if (target instanceof NamespaceValue && state instanceof Map) {
            ((NamespaceValue) target).putAll((Map<?, ?>) state);
        } else if (!(target instanceof OrderedDictValue) && !(target instanceof Tensor)) {
            throw new PickleException("cannot set the state of a " + describe(target));
        }
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictOnStack() {
        Object top = stack.peek();
        if (!(top instanceof Map)) {
            throw new PickleException("SETITEM on a " + describe(top));
        }
        return (Map<Object, Object>) top;
    }

    private static void putPairs(Map<Object, Object> dict, List<Object> flat) {
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            dict.put(hashable(flat.get(i), "dict key"), flat.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object tuple) {
        if (tuple instanceof Object[]) {
            return java.util.Arrays.asList((Object[]) tuple);
        }
        if (tuple instanceof List) {
            return (List<Object>) tuple;
        }
        throw new PickleException("expected a tuple, got " + describe(tuple));
    }

    /** A short description for messages: a few levels and characters of {@code o}, never its whole structure. */
    private static String describe(Object o) {
        StringBuilder b = new StringBuilder();
        describe(o, 0, b);
        return b.length() > 200 ? b.substring(0, 200) + "..." : b.toString();
    }

    private static void describe(Object o, int level, StringBuilder b) {
        if (b.length() > 200) {
            return;
        }
        if (o == null) {
            b.append("None");
        } else if (o instanceof Object[] || o instanceof java.util.Collection) {
            if (level >= 3) {
                b.append("[...]");
                return;
            }
            java.util.Iterator<?> items = o instanceof Object[] ? java.util.Arrays.asList((Object[]) o).iterator()
                    : ((java.util.Collection<?>) o).iterator();
            b.append(o instanceof Object[] ? "tuple" : o instanceof List ? "list" : "set").append(" [");
            for (int i = 0; items.hasNext() && b.length() <= 200; i++) {
                b.append(i == 0 ? "" : ", ");
                describe(items.next(), level + 1, b);
            }
            b.append(']');
        } else if (o instanceof Map) {
            b.append(level > 0 ? "{...}" : "dict of " + ((Map<?, ?>) o).size());
        } else if (o instanceof String || o instanceof Number || o instanceof Boolean) {
            String text = String.valueOf(o);
            b.append(level == 0 ? o.getClass().getSimpleName() + " " : "")
                    .append(text.length() > 80 ? text.substring(0, 80) + "..." : text);
        } else {
            b.append(o.getClass().getSimpleName());
        }
    }
}
