package io.ditcache.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.io.Json;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fixtures: tools/reference/make_router_fixture.py (Debian PyTorch 1.13), depth 2, N = 4. */
class RouterImportTest {
    static final Path FIXTURES = Path.of("src/test/resources/reference/cache");

    @TempDir
    Path dir;

    /** The logits the fixture script wrote as JSON, per method. */
    static float[][] expected(String method) throws IOException {
        Map<?, ?> all = (Map<?, ?>) Json.parse(Files.readString(FIXTURES.resolve("router_fixture_logits.json")));
        List<?> rows = (List<?>) all.get(method);
        float[][] l = new float[rows.size()][];
        for (int s = 0; s < l.length; s++) {
            List<?> row = (List<?>) rows.get(s);
            l[s] = new float[row.size()];
            for (int u = 0; u < row.size(); u++) {
                l[s][u] = ((Number) row.get(u)).floatValue();
            }
        }
        assertEquals(4, l.length);
        return l;
    }

    @Test
    void importsTheOfficialL2cLayout() throws IOException {
        Router r = RouterImport.read(FIXTURES.resolve("router_l2c_d2_n4.pt"), null, null);
        assertEquals(RouterMethod.L2C, r.method());
        assertArrayEquals(expected("l2c"), r.logits());
        assertEquals(4, r.steps());
        assertEquals(2, r.depth());
        assertEquals("ddim", r.sampler());
        assertTrue(Double.isNaN(r.cfg()));
        assertEquals("", r.modelFingerprint());
        assertEquals("5.0E-6", r.provenance().get("args.l1"));
        assertEquals("null", r.provenance().get("args.ste_threshold"), "None in Python");
        assertEquals("router_l2c_d2_n4.pt", r.provenance().get("imported_from"));
        Path out = dir.resolve("l2c.safetensors");
        RouterFile.save(out, r);
        assertArrayEquals(expected("l2c"), RouterFile.load(out).logits());
    }

    @Test
    void importsHarmonicaAndDetectsIt() throws IOException {
        Router r = RouterImport.read(FIXTURES.resolve("router_harmonica_d2_n4.pt"), null, null);
        assertEquals(RouterMethod.HARMONICA, r.method());
        assertArrayEquals(expected("harmonica"), r.logits());
        assertEquals(1.5, r.cfg());
        assertEquals("500", r.provenance().get("args.lambda_c"));
        io.ditcache.model.DiT depth2 = io.ditcache.model.DiT.random(
                new io.ditcache.model.DiTConfig("d2", 2, 32, 4, 2, 4, 8, 10, true, 4), 1);
        Router stamped = RouterImport.read(FIXTURES.resolve("router_harmonica_d2_n4.pt"), null, depth2);
        assertEquals(ModelFingerprint.of(depth2), stamped.modelFingerprint());
        IOException wrongModel = assertThrows(IOException.class,
                () -> RouterImport.read(FIXTURES.resolve("router_harmonica_d2_n4.pt"), null, TinyDrive.MODEL));
        assertTrue(wrongModel.getMessage().contains("has depth 3"), wrongModel.getMessage());
        Router forced = RouterImport.read(FIXTURES.resolve("router_harmonica_d2_n4.pt"), RouterMethod.L2C, null);
        assertEquals(RouterMethod.L2C, forced.method());
    }

    static Map<String, Object> checkpoint(int steps, int units, Map<String, Object> args) {
        Map<String, Object> routers = new LinkedHashMap<>();
        for (int i = 0; i < steps; i++) {
            float[] v = new float[units];
            java.util.Arrays.fill(v, i == steps - 1 ? 5f : i * 0.5f - 1);
            routers.put(i + ".prob", Tensor.of(v, units));
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("routers", routers);
        if (args != null) {
            root.put("args", args);
        }
        return root;
    }

    @Test
    void detectsTheMethodFromArgsOrTheFixedFirstRouter() {
        assertEquals(RouterMethod.HARMONICA, RouterImport.fromCheckpoint(checkpoint(4, 4, null), null, null, "x").method());
        assertEquals(RouterMethod.L2C, RouterImport.fromCheckpoint(checkpoint(4, 4, Map.of("l1", 1e-6)), null, null, "x").method());
        assertEquals(RouterMethod.HARMONICA,
                RouterImport.fromCheckpoint(checkpoint(4, 4, Map.of("lambda_c", 500)), null, null, "x").method());
        Map<String, Object> noSignature = checkpoint(4, 4, null);
        ((Tensor) ((Map<?, ?>) noSignature.get("routers")).get("3.prob")).data()[0] = 1f;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RouterImport.fromCheckpoint(noSignature, null, null, "x"));
        assertTrue(e.getMessage().contains("name the method"), e.getMessage());
        assertEquals(RouterMethod.L2C, RouterImport.fromCheckpoint(noSignature, RouterMethod.L2C, null, "x").method());
    }

    @Test
    void rejectsMalformedCheckpoints() {
        assertThrows(IllegalArgumentException.class, () -> RouterImport.fromCheckpoint(Map.of("model", 1), null, null, "x"));
        assertThrows(IllegalArgumentException.class, () -> RouterImport.fromCheckpoint(List.of(), null, null, "x"));
        Map<String, Object> gap = checkpoint(4, 4, Map.of("l1", 1));
        Map<String, Object> routers = new LinkedHashMap<>((Map<String, Object>) gap.get("routers"));
        routers.put("7.prob", routers.remove("2.prob"));
        gap.put("routers", routers);
        assertThrows(IllegalArgumentException.class, () -> RouterImport.fromCheckpoint(gap, null, null, "x"));
        Map<String, Object> ragged = checkpoint(4, 4, Map.of("l1", 1));
        ((Map<String, Object>) ragged.get("routers")).put("1.prob", Tensor.zeros(6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RouterImport.fromCheckpoint(ragged, null, null, "x"));
        assertTrue(e.getMessage().contains("'1.prob' has 6"), e.getMessage());
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class,
                () -> RouterImport.fromCheckpoint(checkpoint(4, 4, Map.of("num_sampling_steps", 20)), null, null, "x"));
        assertTrue(steps.getMessage().contains("num_sampling_steps is 20"), steps.getMessage());
        IllegalArgumentException model = assertThrows(IllegalArgumentException.class,
                () -> RouterImport.fromCheckpoint(checkpoint(4, 4, Map.of("model", "DiT-XL/2")), null, null, "x"));
        assertTrue(model.getMessage().contains("depth 28"), model.getMessage());
    }
}
