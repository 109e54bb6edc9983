package io.ditcache.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchCheckpointTest {
    /** The file the malicious fixture's payload would create (see make_io_fixtures.py). */
    private static final Path PWNED_MARKER = Path.of("/tmp/ditcache_io_pwned_marker");

    @TempDir
    Path dir;

    private static Map<String, Tensor> expected(String section) throws IOException {
        return Fixtures.expectedTensors(((Map<?, ?>) Fixtures.json("expected.json")).get(section));
    }

    private static void assertMatches(Map<String, Tensor> expected, StateDict actual, float scale) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keys()));
        expected.forEach((name, t) -> {
            float[] want = t.data().clone();
            for (int i = 0; i < want.length; i++) {
                want[i] *= scale;
            }
            Fixtures.assertSameTensor(name, Tensor.of(want, t.shape()), actual.get(name));
        });
    }

    @Test
    void readsStateDictWithViewsStridesAndDtypes() throws IOException {
        StateDict d = TorchCheckpoint.readStateDict(Fixtures.path("state_dict.pt"));
        assertMatches(expected("state_dict"), d, 1f);
        // spot checks that the fixture exercises what it claims
        assertEquals("[5, 3]", d.get("transposed").shapeString());
        assertEquals(0, d.get("scalar").rank());
        assertEquals(3.5f, d.get("scalar").data()[0]);
        assertEquals(List.of(-3f, 4f, 11f, 18f, 25f), List.of(d.get("index").data()[0], d.get("index").data()[1],
                d.get("index").data()[2], d.get("index").data()[3], d.get("index").data()[4]));
    }

    @Test
    void prefersEmaThenModelInTrainingCheckpoints() throws IOException {
        assertMatches(expected("state_dict"), TorchCheckpoint.readStateDict(Fixtures.path("wrapped.pt")), 1f);
        assertMatches(expected("state_dict"), TorchCheckpoint.readStateDict(Fixtures.path("model_only.pt")), 2f);
        assertMatches(expected("state_dict"), TorchCheckpoint.readStateDict(Fixtures.path("wrapped.pt"), "model"), 2f);
        Map<?, ?> root = (Map<?, ?>) TorchCheckpoint.read(Fixtures.path("wrapped.pt"));
        assertEquals(Map.of("model", "DiT-XL/2", "image_size", 256, "global_seed", 0, "lr", 1e-4), root.get("args"));
    }

    @Test
    void readsRouterCheckpointAsPlainObjects() throws IOException {
        Path file = Fixtures.path("router.pt");
        Map<?, ?> root = (Map<?, ?>) TorchCheckpoint.read(file);
        assertEquals(List.of("routers", "opt", "args"), List.copyOf(root.keySet()));
        assertEquals(Map.of("lr", 1e-3, "model", "DiT-XL/2", "num_sampling_steps", 20), root.get("args"));
        Map<?, ?> opt = (Map<?, ?>) root.get("opt");
        Map<?, ?> state0 = (Map<?, ?>) ((Map<?, ?>) opt.get("state")).get(0);
        assertEquals(3f, ((Tensor) state0.get("step")).data()[0]);
        Fixtures.assertSameTensor("exp_avg", expected("router").get("opt.exp_avg"), (Tensor) state0.get("exp_avg"));
        Map<?, ?> group = (Map<?, ?>) ((List<?>) opt.get("param_groups")).get(0);
        assertEquals(List.of(0.9, 0.999), group.get("betas"));
        assertEquals(List.of(0, 1, 2), group.get("params"));
        assertEquals(Boolean.FALSE, group.get("amsgrad"));
        assertTrue(group.containsKey("name"));
        assertNull(group.get("name"));

        Map<String, Tensor> routers = expected("router");
        routers.remove("opt.exp_avg");
        assertMatches(routers, TorchCheckpoint.readStateDict(file, "routers"), 1f);
        String msg = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.readStateDict(file)).getMessage();
        assertTrue(msg.contains("router.pt: key 'routers' holds a dict, not a tensor"), msg);
        msg = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.readStateDict(file, "ema")).getMessage();
        assertTrue(msg.contains("no top-level key 'ema'"), msg);
    }

    @Test
    void refusesMaliciousPickleWithoutRunningIt() throws IOException {
        Files.deleteIfExists(PWNED_MARKER);
        Path file = Fixtures.path("malicious.pt");
        String msg = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.read(file)).getMessage();
        assertEquals(file + ": refusing to load pickled global 'posix.system' (only tensors and plain containers "
                + "are allowed)", msg);
        assertThrows(WeightsFormatException.class, () -> WeightsFiles.load(file));
        assertFalse(Files.exists(PWNED_MARKER), "the payload must not have run");
    }

    @Test
    void refusesStackGlobalAndInstOpcodes() throws IOException {
        // protocol 4: STACK_GLOBAL builtins.eval, then REDUCE ("print(1)",)
        byte[] stackGlobal = pickle("\u0080\u0004\u008c\u0008builtins\u008c\u0004eval\u0093\u008c\u0008print(1)\u0085R.");
        // protocol 0: INST os system with a MARKed argument
        byte[] inst = pickle("(S'echo hi'\nios\nsystem\n.");
        for (byte[] p : new byte[][] {stackGlobal, inst}) {
            Path file = dir.resolve("evil.pt");
            Files.write(file, zip(Map.of("archive/data.pkl", p)));
            String msg = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.read(file)).getMessage();
            assertTrue(msg.contains("refusing to load pickled global '"), msg);
            assertTrue(msg.contains("builtins.eval") || msg.contains("os.system"), msg);
        }
    }

    @Test
    void explainsBrokenFiles() throws IOException {
        byte[] good = Files.readAllBytes(Fixtures.path("state_dict.pt"));
        assertFailure("half.pt", Arrays.copyOf(good, good.length / 2), "not a readable zip archive (file truncated");
        assertFailure("cut.pt", Arrays.copyOf(good, good.length - 1), "not a readable zip archive (file truncated");
        assertFailure("text.pt", "hello".getBytes(StandardCharsets.UTF_8), "no zip header");
        assertFailure("empty.pt", new byte[0], "an empty file");
        assertFailure("legacy.pt", Files.readAllBytes(Fixtures.path("legacy.pt")),
                "legacy (pre-1.6, non-zip) torch.save format, not supported: re-save it with a modern PyTorch");
        assertFailure("nopickle.pt", Files.readAllBytes(Fixtures.path("no_pickle.pt")), "no <name>/data.pkl");
        assertFailure("big.pt", rewrite(good, entries -> {
            entries.put("state_dict/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
            return entries;
        }), "byteorder is 'big'");
        assertFailure("short.pt", rewrite(good, entries -> {
            entries.put("state_dict/data/0", Arrays.copyOf(entries.get("state_dict/data/0"), 40));
            return entries;
        }), "holds 10 F32 elements: file truncated or corrupt?");
        assertFailure("gone.pt", rewrite(good, entries -> {
            entries.remove("state_dict/data/3");
            return entries;
        }), "storage '3' (state_dict/data/3) is missing");
        assertThrows(NoSuchFileException.class, () -> TorchCheckpoint.read(dir.resolve("missing.pt")));
    }

    @Test
    void acceptsLittleByteorderEntry() throws IOException {
        Path file = dir.resolve("le.pt");
        Files.write(file, rewrite(Files.readAllBytes(Fixtures.path("state_dict.pt")), entries -> {
            entries.put("state_dict/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            return entries;
        }));
        assertMatches(expected("state_dict"), TorchCheckpoint.readStateDict(file), 1f);
    }

    /** A length field of {@code width} little-endian bytes holding {@code value}, as latin-1 characters. */
    private static String le(long value, int width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < width; i++) {
            b.append((char) ((value >>> (8 * i)) & 0xff));
        }
        return b.toString();
    }

    /** Writes {@code pickle} as the data.pkl of a zip (plus {@code storage} as archive/data/0) and expects the error. */
    private String crafted(String name, String pickle, byte[] storage, String error) throws IOException {
        Path file = dir.resolve(name);
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle(pickle));
        if (storage != null) {
            entries.put("archive/data/0", storage);
        }
        Files.write(file, zip(entries));
        String msg = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.readStateDict(file)).getMessage();
        assertTrue(msg.startsWith(file + ": ") && msg.contains(error), msg);
        return msg;
    }

    @Test
    void lengthFieldsAreCheckedAgainstTheBytesLeft() throws IOException {
        // Each opcode's length claims far more bytes than follow; 0xFFFFFFF0 used to be new byte[-16].
        String[][] cases = {
            {"binunicode", "X" + le(0xFFFFFFF0L, 4) + "abc.", "declares 4294967280 bytes but only 4 follow"},
            {"binbytes", "B" + le(0xFFFFFFF0L, 4) + "abc.", "declares 4294967280 bytes"},
            {"binstring", "T" + le(0xFFFFFFF0L, 4) + "abc.", "declares -16 bytes"},
            {"binstring-big", "T" + le(0x7FFFFFF0L, 4) + "abc.", "declares 2147483632 bytes"},
            {"long4", "\u008b" + le(0xFFFFFFF0L, 4) + "abc.", "declares -16 bytes"},
            {"binunicode8", "\u008d" + le(-1L, 8) + "abc.", "declares 18446744073709551615 bytes"},
            {"binbytes8", "\u008e" + le(1L << 40, 8) + "abc.", "declares 1099511627776 bytes"},
            {"bytearray8", "\u0096" + le(1L << 40, 8) + "abc.", "declares 1099511627776 bytes"},
            {"frame", "\u0095" + le(1L << 40, 8) + "}.", "declares 1099511627776 bytes"},
            {"short-binunicode", "\u008c\u00c8abc.", "declares 200 bytes but only 4 follow"},
            {"short-binbytes", "C\u00c8abc.", "declares 200 bytes"},
            // A length byte missing at the end (found by fuzzing: the library read it as -1, new byte[-1]).
            {"short-binstring-eof", "U", "opcode 0x55 at byte 2: the pickle ends inside its 1-byte length"},
            {"binunicode-eof", "X\u0001\u0000", "opcode 0x58 at byte 2: the pickle ends inside its 4-byte length"},
        };
        for (String[] c : cases) {
            String msg = crafted(c[0] + ".pt", "\u0080\u0004" + c[1], null, c[2]);
            assertTrue(msg.contains("cannot read archive/data.pkl"), msg);
        }
    }

    @Test
    void deepNestingCyclesAndHugeStacksAreFormatErrors() throws IOException {
        // 100,000 nested MARK/LIST used to overflow the Java stack while the result was walked.
        crafted("marks.pt", "\u0080\u0002" + "(".repeat(100_000) + "l".repeat(100_000) + ".", null,
                "containers nested deeper than " + TorchCheckpoint.MAX_DEPTH + " levels");
        // The same with EMPTY_LIST/APPEND, and nested tuples inside a dict.
        crafted("appends.pt", "]".repeat(100_000) + "a".repeat(99_999) + ".", null, "nested deeper than");
        crafted("tuples.pt", "}X\u0001\u0000\u0000\u0000k" + "(".repeat(50_000) + "t".repeat(50_000) + "s.", null,
                "nested deeper than");
        // A list inside itself: refused (it would send any walker, toString and equals included, into a loop).
        crafted("cycle.pt", "]q\u0000h\u0000a.", null, "cyclic structure");
        // ... and as a dict key or set member its hashCode would recurse forever; Python refuses them too.
        crafted("key.pt", "}]q\u0000h\u0000aK\u0001s.", null, "unhashable dict key of type list");
        crafted("keys.pt", "}(]K\u0001u.", null, "unhashable dict key of type list");
        crafted("set.pt", "\u008f(]\u0090.", null, "unhashable set member of type list");
        crafted("frozenset.pt", "(}\u0091.", null, "unhashable set member of type dict");
        // A 100,000-deep tuple as a persistent id: the error message describes it without recursing through it.
        String msg = crafted("pid.pt", "(".repeat(100_000) + "t".repeat(100_000) + "Q.", null, "unsupported persistent id");
        assertTrue(msg.length() < 600, msg);
        // An unbounded stack: more entries than any checkpoint needs.
        crafted("stack.pt", "N".repeat(TorchUnpickler.MAX_STACK + 1) + ".", null,
                "unpickling stack exceeds " + TorchUnpickler.MAX_STACK + " entries");
        // ... and an empty one: REDUCE with nothing to call (a bare index error before).
        crafted("underflow.pt", "\u0080\u0002R.", null, "opcode 0x52 at byte 2 finds too few values on the unpickling stack");
        // STACK_GLOBAL on non-strings (a deep list's toString used to be the name looked up).
        crafted("global.pt", "\u0080\u0004]]\u0093.", null, "STACK_GLOBAL needs two strings");
    }

    /** A protocol-2 pickle of {'w': _rebuild_tensor_v2(storage '0' of 4 floats, 0, size, stride, False, ())}. */
    private static String tensorPickle(String size, String stride) {
        return "\u0080\u0002}X\u0001\u0000\u0000\u0000wctorch._utils\n_rebuild_tensor_v2\n("
                + "(X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\nX\u0001\u0000\u0000\u00000"
                + "X\u0003\u0000\u0000\u0000cpuK\u0004tQ"
                + "K\u0000" + size + stride + "\u0089)tRs.";
    }

    @Test
    void hugeOrOverflowingTensorViewsAreFormatErrors() throws IOException {
        byte[] storage = new byte[16];
        String one = "(K\u0001t";
        // Control: a 4-element view of the 4-element storage reads.
        Path ok = dir.resolve("ok.pt");
        Files.write(ok, zip(Map.of("archive/data.pkl", pickle(tensorPickle("(K\u0004t", one)),
                "archive/data/0", storage)));
        assertEquals("[4]", TorchCheckpoint.readStateDict(ok).get("w").shapeString());
        // 2^31 - 9 elements of a 4-element storage: refused before an 8 GB array is allocated.
        crafted("long.pt", tensorPickle("(J" + le(Integer.MAX_VALUE - 8, 4) + "t", one), storage,
                "holds 4 F32 elements: file truncated or corrupt?");
        // Sizes whose product overflows a long.
        String big = "J" + le(Integer.MAX_VALUE, 4);
        crafted("product.pt", tensorPickle("(" + big + big + big + "t", "(K\u0001K\u0001K\u0001t"), storage,
                "more elements than one Java array holds");
        // A stride of 2^62 over 3 elements: (3-1) * 2^62 overflows; it used to wrap and read the wrong bytes.
        crafted("stride.pt", tensorPickle("(K\u0003t", "(\u008a\u0008" + le(1L << 62, 8) + "t"), storage,
                "reaches element 9223372036854775807");
        crafted("negative.pt", tensorPickle("(J" + le(-3, 4) + "t", one), storage, "negative entries");
        // A size beyond 64 bits (LONG1 of 9 bytes) used to be truncated silently to its low bits.
        crafted("long1.pt", tensorPickle("(\u008a\u0009" + le(4, 8) + "\u0001t", one), storage,
                "is not an integer of 64 bits");
    }

    @Test
    void broadcastViewsAreRefusedBeforeAllocating() throws IOException {
        byte[] storage = new byte[16];
        // expand(): 2^30 floats (4 GiB) from one stored element, in 1 and 2 dimensions; all indices are in range.
        crafted("broadcast.pt", tensorPickle("(J" + le(1 << 30, 4) + "t", "(K\u0000t"), storage,
                "tensor of size [1073741824], stride [0] would materialize 1073741824 elements from storage '0', which"
                        + " holds 4 F32 elements (a broadcast or overlapping view): refused before allocating");
        crafted("broadcast2d.pt", tensorPickle("(M\u0000\u0080M\u0000\u0080t", "(K\u0000K\u0000t"), storage,
                "would materialize 1073741824 elements");
        // A broadcast within the storage's element count still reads: [2, 2] over the first 2 elements.
        Path ok = dir.resolve("small-broadcast.pt");
        Files.write(ok, zip(Map.of("archive/data.pkl", pickle(tensorPickle("(K\u0002K\u0002t", "(K\u0000K\u0001t")),
                "archive/data/0", storage)));
        assertEquals("[2, 2]", TorchCheckpoint.readStateDict(ok).get("w").shapeString());
    }

    /** A pickle of a list of {@code views} tensors, each the whole of storage '0' of {@code n} floats (memo GETs). */
    private static String repeatedViews(int n, int views) {
        String args = "((X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\nX\u0001\u0000\u0000\u00000"
                + "X\u0003\u0000\u0000\u0000cpuJ" + le(n, 4) + "tQK\u0000(J" + le(n, 4) + "t(K\u0001t\u0089)t";
        return "\u0080\u0002]ctorch._utils\n_rebuild_tensor_v2\nq\u0000" + args + "q\u0001Ra"
                + "h\u0000h\u0001Ra".repeat(views - 1) + ".";
    }

    @Test
    void oneStorageRebuiltAgainAndAgainIsRefused() throws IOException {
        int n = 1 << 18;
        byte[] storage = new byte[4 * n];
        // Tied weights (a storage viewed twice) read.
        Path tied = dir.resolve("tied.pt");
        Files.write(tied, zip(Map.of("archive/data.pkl", pickle(repeatedViews(n, 2)), "archive/data/0", storage)));
        assertEquals(2, ((List<?>) TorchCheckpoint.read(tied)).size());
        // Eight 1 MiB tensors of one 1 MiB storage: more than twice its elements plus 2^20.
        crafted("again.pt", repeatedViews(n, 8), storage, "the tensors would materialize 1835008 elements from storages"
                + " holding 262144, more than twice as many (the same storage rebuilt again and again)");
    }

    @Test
    void aStorageLongerOrShorterThanItsZipEntryDeclaresIsRefused() throws IOException {
        byte[] archive = zip(Map.of("archive/data.pkl", pickle(tensorPickle("(K\u0004t", "(K\u0001t")),
                "archive/data/0", new byte[16]));
        for (int declared : new int[] {20, 12}) {
            byte[] patched = archive.clone();
            // The name's second occurrence is in the central directory, 46 bytes into the entry's header, whose
            // uncompressed size is at offset 24.
            byte[] name = "archive/data/0".getBytes(StandardCharsets.ISO_8859_1);
            int cen = indexOf(patched, name, indexOf(patched, name, 0) + 1) - 46;
            java.nio.ByteBuffer.wrap(patched).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(cen + 24, declared);
            assertFailure("declared" + declared + ".pt", patched, "storage '0' (archive/data/0) holds "
                    + (declared == 20 ? "16" : "more than 12") + " bytes, its zip entry declares " + declared);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        for (int i = from; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private void assertFailure(String name, byte[] content, String error) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        String msg = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.readStateDict(file)).getMessage();
        assertTrue(msg.startsWith(file + ": ") && msg.contains(error), msg);
    }

    private static byte[] pickle(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The zip {@code original} with its entries passed through {@code edit}. */
    private byte[] rewrite(byte[] original, UnaryOperator<Map<String, byte[]>> edit) throws IOException {
        Path tmp = Files.write(dir.resolve("orig.zip"), original);
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(tmp.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                try (InputStream in = zip.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return zip(edit.apply(entries));
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
