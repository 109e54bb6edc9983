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
