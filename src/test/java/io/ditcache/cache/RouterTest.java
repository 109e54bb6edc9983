package io.ditcache.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.Cache;
import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiT;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterTest {
    @TempDir
    Path dir;

    /** The logit whose sigmoid is exactly p, nudged by eps. */
    static float logitOf(double p, double eps) {
        return (float) (Math.log(p / (1 - p)) + eps);
    }

    /** steps x 2 units; unit 0 just above 0.3, unit 1 just below 0.3 at every step. */
    static Router straddling(RouterMethod m, int steps) {
        float[][] l = new float[steps][2];
        for (float[] row : l) {
            row[0] = logitOf(0.3, 1e-4);
            row[1] = logitOf(0.3, -1e-4);
        }
        return new Router(m, l, "ddim", 1.5, "", 0.1, Map.of());
    }

    @Test
    void unitIsComputedWhereTheScoreExceedsTheThreshold() {
        Router r = straddling(RouterMethod.HARMONICA, 3);
        CachePlan at3 = r.plan(0.3);
        for (int s = 0; s < 2; s++) {
            assertTrue(at3.compute(s, 0));
            assertFalse(at3.compute(s, 1));
        }
        CachePlan at1 = r.plan(0.1);
        assertEquals(6, at1.computeCount());
        CachePlan at5 = r.plan(0.5);
        assertEquals(2, at5.computeCount(), "only the forced first step");
        assertEquals(0.3, r.score(0, 0), 1e-4);
        float[][] exact = {{0f, 0f}};
        assertEquals(0, new Router(RouterMethod.HARMONICA, new float[][]{{0f, 0f}, {0f, 0f}}, "", 1, "", 0.1, Map.of())
                .plan(0.5).computeCount(0), "score 0.5 is not > 0.5");
        assertEquals(1, exact.length);
    }

    @Test
    void l2cComputesEverythingAtOddStepsAndUsesTheRouterAtEvenSteps() {
        Router r = straddling(RouterMethod.L2C, 6);
        CachePlan p = r.plan(0.3);
        assertEquals(""
                + "step 5  ##\n"
                + "step 4  #.\n"
                + "step 3  ##\n"
                + "step 2  #.\n"
                + "step 1  ##\n"
                + "step 0  #.\n", p.toMap());
    }

    @Test
    void harmonicaForcesOnlyTheFirstSamplingStep() {
        Router r = straddling(RouterMethod.HARMONICA, 6);
        assertEquals(""
                + "step 5  ##\n"
                + "step 4  #.\n"
                + "step 3  #.\n"
                + "step 2  #.\n"
                + "step 1  #.\n"
                + "step 0  #.\n", r.plan(0.3).toMap());
    }

    @Test
    void routerPolicyDrivesTheDenoiserWithTheFileThresholdByDefault() throws IOException {
        float[][] l = new float[4][TinyDrive.TINY.units()];
        for (float[] row : l) {
            java.util.Arrays.fill(row, logitOf(0.2, 0));
            row[0] = 3;
        }
        Router r = new Router(RouterMethod.HARMONICA, l, "ddim", 4, ModelFingerprint.of(TinyDrive.MODEL), 0.25, Map.of());
        Path f = dir.resolve("r.safetensors");
        RouterFile.save(f, r);
        CachePolicy byDefault = Cache.parse("router:" + f, Double.NaN);
        CachedDenoiser d = new CachedDenoiser(TinyDrive.MODEL, TinyDrive.LABELS, 4f, byDefault, 4);
        TinyDrive.drive(d, 4, TinyDrive.noise(1));
        assertEquals(3 * (TinyDrive.TINY.units() - 1), d.stats().reusedUnitExecutions());
        CachePolicy low = Cache.parse("router:" + f, 0.15);
        CachedDenoiser e = new CachedDenoiser(TinyDrive.MODEL, TinyDrive.LABELS, 4f, low, 4);
        TinyDrive.drive(e, 4, TinyDrive.noise(1));
        assertEquals(0, e.stats().reusedUnitExecutions());
        assertThrows(IllegalArgumentException.class, () -> Cache.parse("router:" + f, 1.5));
    }

    @Test
    void filesRoundTripWithTheirMetadata() throws IOException {
        float[][] l = {{-1.5f, 2f, 0.25f, 4f}, {5f, -5f, 0f, 1f}, {0.5f, 0.5f, -0.5f, 3f}};
        Router r = new Router(RouterMethod.L2C, l, "ddim", 1.5, "fp", 0.2, Map.of("seed", "3", "iters", "100"));
        Path f = dir.resolve("r.safetensors");
        RouterFile.save(f, r);
        Router back = RouterFile.load(f);
        assertEquals(RouterMethod.L2C, back.method());
        assertArrayEquals(l, back.logits());
        assertEquals("ddim", back.sampler());
        assertEquals(1.5, back.cfg());
        assertEquals("fp", back.modelFingerprint());
        assertEquals(0.2, back.defaultThreshold());
        assertEquals(Map.of("seed", "3", "iters", "100"), back.provenance());
        StateDict raw = SafeTensors.read(f);
        assertArrayEquals(new int[]{3, 4}, raw.get("logits").shape());
        assertEquals("2", raw.metadata().get("depth"));
        Router unknownCfg = new Router(RouterMethod.HARMONICA, l, "", Double.NaN, "", 0.1, Map.of());
        RouterFile.save(f, unknownCfg);
        assertTrue(Double.isNaN(RouterFile.load(f).cfg()));
    }

    @Test
    void theSettingsWarningNamesTheLibrarysSettingsAndTheCallersNamesWhenGiven() {
        Router r = straddling(RouterMethod.HARMONICA, 3); // ddim, cfg 1.5
        assertNull(r.settingsWarning("r", "DDIM", 1.5), "the settings it was trained for");
        assertEquals("warning: r: the router was trained for sampler ddim but is used with sampler ddpm, and for"
                + " guidance cfg 1.5 but is used with cfg 4.0; its plan may not fit these trajectories (to use it as"
                + " trained: sampler ddim, cfg 1.5)", r.settingsWarning("r", "ddpm", 4));
        assertEquals("warning: r: the router was trained for guidance --cfg 1.5 but is used with --cfg 2.0; its plan"
                + " may not fit these trajectories (to use it as trained: --cfg 1.5)",
                r.settingsWarning("r", "ddim", 2, s -> "--" + s));
    }

    /** A file as {@link RouterFile#save} writes it, then edited. */
    private Path edited(String name, Tensor logits, Map<String, String> changes) throws IOException {
        Path good = dir.resolve("good.safetensors");
        RouterFile.save(good, straddling(RouterMethod.L2C, 3));
        StateDict sd = SafeTensors.read(good);
        StateDict out = new StateDict();
        out.put("logits", logits == null ? sd.get("logits") : logits);
        out.metadata().putAll(sd.metadata());
        for (Map.Entry<String, String> e : changes.entrySet()) {
            if (e.getValue() == null) {
                out.metadata().remove(e.getKey());
            } else {
                out.metadata().put(e.getKey(), e.getValue());
            }
        }
        Path f = dir.resolve(name);
        SafeTensors.write(f, out, DType.F32);
        return f;
    }

    private void assertBad(Path f, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> RouterFile.load(f));
        assertTrue(e.getMessage().contains(f.getFileName().toString()), "names the file: " + e.getMessage());
        for (String s : fragments) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        }
    }

    @Test
    void badFilesGiveClearErrors() throws IOException {
        assertBad(edited("shape.safetensors", Tensor.zeros(3, 6), Map.of()), "[3, 6]", "steps=3, depth=1");
        assertBad(edited("rank.safetensors", Tensor.zeros(6), Map.of()), "[6]");
        float[] nan = new float[6];
        nan[3] = Float.NaN;
        assertBad(edited("nan.safetensors", Tensor.of(nan, 3, 2), Map.of()), "step 1, unit 1", "NaN");
        float[] inf = new float[6];
        inf[0] = Float.POSITIVE_INFINITY;
        assertBad(edited("inf.safetensors", Tensor.of(inf, 3, 2), Map.of()), "Infinity");
        assertBad(edited("method.safetensors", null, Map.of("method", "deepcache")), "unknown router method 'deepcache'");
        assertBad(edited("steps.safetensors", null, Map.of("steps", "x")), "'steps' is 'x'");
        assertBad(edited("nosteps.safetensors", null, java.util.Collections.singletonMap("depth", null)), "lacks 'depth'");
        assertBad(edited("format.safetensors", null, java.util.Collections.singletonMap("format", null)),
                "not a ditcache router file");
        assertBad(edited("threshold.safetensors", null, Map.of("threshold", "1.5")), "threshold");
        Path noLogits = dir.resolve("nologits.safetensors");
        StateDict sd = new StateDict();
        sd.put("weights", Tensor.zeros(3, 2));
        sd.metadata().putAll(SafeTensors.read(edited("x.safetensors", null, Map.of())).metadata());
        SafeTensors.write(noLogits, sd, DType.F32);
        assertBad(noLogits, "no 'logits' tensor");
    }

    @Test
    void loadingForAnotherModelOrStepCountFails() throws IOException {
        DiT model = TinyDrive.MODEL;
        int units = model.config().units();
        Router r = new Router(RouterMethod.HARMONICA, new float[4][units], "ddim", 1.5, ModelFingerprint.of(model),
                0.1, Map.of());
        Path f = dir.resolve("tiny.safetensors");
        RouterFile.save(f, r);
        RouterFile.load(f, model, 4);
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class, () -> RouterFile.load(f, model, 20));
        assertTrue(steps.getMessage().contains("4 sampling steps but 20"), steps.getMessage());
        DiT otherWeights = DiT.random(model.config(), 99);
        IllegalArgumentException weights = assertThrows(IllegalArgumentException.class, () -> RouterFile.load(f, otherWeights, 4));
        assertTrue(weights.getMessage().contains("another model"), weights.getMessage());
        DiT deeper = DiT.random(new io.ditcache.model.DiTConfig("d4", 4, 32, 4, 2, 4, 8, 10, true, 4), 7);
        IllegalArgumentException depth = assertThrows(IllegalArgumentException.class, () -> RouterFile.load(f, deeper, 4));
        assertTrue(depth.getMessage().contains("depth 3") && depth.getMessage().contains("depth 4"), depth.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new CachedDenoiser(deeper, TinyDrive.LABELS, 4f, Cache.parse("router:" + f, 0.1), 4));
    }

    @Test
    void fingerprintFollowsWeightsAndArchitecture() {
        DiT a = TinyDrive.MODEL;
        assertEquals(ModelFingerprint.of(a), ModelFingerprint.of(new DiT(a.config(), a.stateDict())));
        assertNotEquals(ModelFingerprint.of(a), ModelFingerprint.of(DiT.random(a.config(), 8)));
        assertTrue(ModelFingerprint.of(a).startsWith("depth=3,hidden=32,heads=4,patch=2,in=4,size=8,classes=10"));
    }

    @Test
    void constructorRejectsBadLogits() {
        assertThrows(IllegalArgumentException.class, () -> new Router(RouterMethod.L2C, new float[2][3], "", 1, "", 0.1, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Router(RouterMethod.L2C, new float[0][0], "", 1, "", 0.1, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Router(RouterMethod.L2C, new float[2][2], "", 1, "", 1.0, Map.of()));
        assertEquals(RouterMethod.HARMONICA, RouterMethod.parse("HarmoniCa"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RouterMethod.parse("fora"));
        assertTrue(e.getMessage().contains("l2c, harmonica"));
    }
}
