package io.ditcache.cli;

import static io.ditcache.cli.CommandLineTest.run;
import static io.ditcache.cli.CommandLineTest.tinyModel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.Models;
import io.ditcache.Pipeline;
import io.ditcache.Provenance;
import io.ditcache.cache.ModelFingerprint;
import io.ditcache.cache.Router;
import io.ditcache.cache.RouterFile;
import io.ditcache.cache.RouterImport;
import io.ditcache.cache.RouterMethod;
import io.ditcache.cache.RouterPolicy;
import io.ditcache.cli.CommandLineTest.Result;
import io.ditcache.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ditcache import-router IN.pt --out OUT.safetensors} on the official-layout fixtures
 * (tools/reference/make_router_fixture.py: depth 2, 4 steps), the guidance-scale warning of a router used off its
 * scale, and the provenance written routers carry and {@code info} prints.
 */
class ImportRouterTest {
    static final Path FIXTURES = Path.of("src/test/resources/reference/cache");
    static final Path L2C = FIXTURES.resolve("router_l2c_d2_n4.pt");
    static final Path HARMONICA = FIXTURES.resolve("router_harmonica_d2_n4.pt");

    @TempDir
    Path dir;

    private static void assertProvenance(Map<String, String> provenance) {
        Provenance now = Provenance.current();
        assertEquals(now.version(), provenance.get(Provenance.VERSION_KEY), provenance.toString());
        assertEquals(now.revision(), provenance.get(Provenance.REVISION_KEY), provenance.toString());
        assertEquals(now.javaVersion(), provenance.get(Provenance.JAVA_KEY), provenance.toString());
        assertTrue(Integer.parseInt(provenance.get(Provenance.THREADS_KEY)) >= 1, provenance.toString());
    }

    @Test
    void importedRoutersRoundTripBothOfficialLayouts() throws Exception {
        for (Path pt : List.of(L2C, HARMONICA)) {
            Path out = dir.resolve(pt.getFileName() + ".safetensors");
            Result r = run("import-router", pt.toString(), "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            Router direct = RouterImport.read(pt, null, null);
            Router saved = RouterFile.load(out);
            assertEquals(direct.method(), saved.method(), pt.toString());
            assertArrayEquals(direct.logits(), saved.logits(), pt.toString());
            assertEquals(direct.sampler(), saved.sampler());
            assertEquals(direct.cfg(), saved.cfg());
            assertEquals(direct.defaultThreshold(), saved.defaultThreshold());
            assertEquals("", saved.modelFingerprint());
            for (Map.Entry<String, String> e : direct.provenance().entrySet()) {
                assertEquals(e.getValue(), saved.provenance().get(e.getKey()), e.getKey()); // imported_from, args.*
            }
            assertProvenance(saved.provenance());
            assertTrue(r.out().contains("imported " + direct.method().id() + " router (method detected, 4 steps x 4 units,"
                    + " depth 2, ddim, cfg "), r.out());
            assertTrue(r.err().contains("warning: " + out + ": the router file has no model fingerprint"), r.err());
        }
        assertEquals(RouterMethod.L2C, RouterFile.load(dir.resolve("router_l2c_d2_n4.pt.safetensors")).method());
        assertEquals(RouterMethod.HARMONICA, RouterFile.load(dir.resolve("router_harmonica_d2_n4.pt.safetensors")).method());
    }

    @Test
    void theConvertedRouterSamplesAsTheCheckpointDoesAndModelStampsTheFingerprint() throws Exception {
        Path model = tinyModel(dir); // depth 2, as the fixtures
        Path out = dir.resolve("h.safetensors");
        Result r = run("import-router", HARMONICA.toString(), "--model", model.toString(), "--threshold", "0.3",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("fingerprint"), r.err());
        Router saved = RouterFile.load(out);
        assertEquals(ModelFingerprint.of(Models.load(model.toString())), saved.modelFingerprint());
        assertEquals(0.3, saved.defaultThreshold());
        assertEquals(model.toString(), saved.provenance().get("model_source"));
        Path fromPt = dir.resolve("pt.safetensors");
        Path fromFile = dir.resolve("file.safetensors");
        for (Path[] run : new Path[][] {{HARMONICA, fromPt}, {out, fromFile}}) {
            Result s = run("sample", "--model", model.toString(), "--steps", "4", "--n", "2", "--threshold", "0.3",
                    "--cache", "router:" + run[0], "--out", run[1].toString());
            assertEquals(0, s.code(), s.err());
        }
        assertArrayEquals(SafeTensors.read(fromPt).get("samples").data(), SafeTensors.read(fromFile).get("samples").data(), 0f);

        // A router stamped for the tiny model is refused for the embedded one (depth 12) by name of the file.
        Result other = run("import-router", L2C.toString(), "--model", "default", "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, other.code());
        assertTrue(other.err().contains(L2C + ": the routers have 4 units but the model DiT-FMNIST has depth 12"), other.err());
    }

    @Test
    void aGuidanceScaleGivenOrRecordedIsStoredAndSamplingAtAnotherWarns() throws Exception {
        Path l2c = dir.resolve("l2c.safetensors");
        Result given = run("import-router", L2C.toString(), "--cfg", "4", "--method", "l2c", "--out", l2c.toString());
        assertEquals(0, given.code(), given.err());
        assertEquals(4.0, RouterFile.load(l2c).cfg(), "the checkpoint records none: --cfg is stored");
        Result contradicts = run("import-router", HARMONICA.toString(), "--cfg", "4", "--out",
                dir.resolve("never.safetensors").toString());
        assertEquals(2, contradicts.code());
        assertTrue(contradicts.err().contains("--cfg 4.0: " + HARMONICA + " records args.cfg_scale 1.5"), contradicts.err());

        // The library says it: Pipeline.warnings, in its own names; sampling itself is not refused.
        Path model = tinyModel(dir);
        RouterPolicy harmonica = new RouterPolicy(RouterImport.read(HARMONICA, null, Models.load(model.toString())),
                HARMONICA.toString(), Double.NaN);
        Pipeline pipe = Pipeline.of(Models.load(model.toString())).steps(4).cache(harmonica);
        assertEquals(List.of(), pipe.guidance(1.5).warnings(), "at its own scale, with a fingerprint: nothing to say");
        assertEquals(List.of("warning: " + HARMONICA + ": the router was trained for guidance cfg 1.5 but is used with"
                + " cfg 2.5; its plan may not fit these trajectories (to use it as trained: cfg 1.5)"),
                pipe.guidance(2.5).warnings());
        assertEquals(2, pipe.guidance(2.5).sample(new int[] {0, 1}, 0).images().dim(0));

        // The command line prints it to stderr with its flags, before the model is loaded: here loading fails (a
        // preset without --random-weights), and the warning was printed all the same.
        String warning = "warning: " + HARMONICA + ": the router was trained for guidance --cfg 1.5 but is used with"
                + " --cfg 4.0; its plan may not fit these trajectories (to use it as trained: --cfg 1.5)";
        Result sample = run("sample", "--model", "DiT-XL/2", "--steps", "4", "--cfg", "4", "--cache", "router:" + HARMONICA,
                "--out", dir.resolve("never.png").toString());
        assertEquals(2, sample.code());
        assertTrue(sample.err().contains(warning), sample.err());
        assertTrue(sample.err().contains("--random-weights"), "the load failed, after the warning: " + sample.err());
        Result eval = run("eval", "--model", model.toString(), "--steps", "4", "--cfg", "4", "--methods",
                "router:" + HARMONICA + ",fora:2", "--n", "2", "--batch", "2", "--out", dir.resolve("ev").toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.err().contains(warning), eval.err());
        Result atItsOwn = run("sample", "--model", model.toString(), "--steps", "4", "--n", "1", "--cache",
                "router:" + HARMONICA, "--out", dir.resolve("own.png").toString());
        assertEquals(0, atItsOwn.code(), atItsOwn.err());
        assertFalse(atItsOwn.err().contains("the router was trained for"), atItsOwn.err());
        // The eval report's header says what wrote it.
        String report = Files.readString(dir.resolve("ev/report.md"));
        assertTrue(report.contains("Written by " + Provenance.current().summary() + "."), report);
    }

    private List<Path> filesIn(Path d) throws Exception {
        try (Stream<Path> files = Files.walk(d)) {
            return new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
        }
    }

    /** Exit status 2, every fragment in the error output, and no file written in dir. */
    private void refused(String[] args, String... fragments) throws Exception {
        List<Path> before = filesIn(dir);
        Result r = run(args);
        assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err() + r.out());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
        assertEquals(before, filesIn(dir), "nothing may be written: " + String.join(" ", args));
    }

    @Test
    void badInputIsRefusedNamingTheFileBeforeAnyModelIsLoaded() throws Exception {
        String out = dir.resolve("out.safetensors").toString();
        Path junk = Files.writeString(dir.resolve("junk.pt"), "not a checkpoint");
        Path sub = Files.createDirectory(dir.resolve("sub.pt"));
        Path model = tinyModel(dir);
        Path missingModel = dir.resolve("missing-model.pt");
        refused(new String[] {"import-router", dir.resolve("nosuch.pt").toString(), "--out", out},
                dir.resolve("nosuch.pt") + ": no such file");
        refused(new String[] {"import-router", sub.toString(), "--out", out}, sub + " is a directory");
        // The input is read and checked before --model is even looked at.
        refused(new String[] {"import-router", junk.toString(), "--model", missingModel.toString(), "--out", out},
                "error: " + junk + ": not an official L2C/HarmoniCa router checkpoint");
        refused(new String[] {"import-router", model.toString(), "--out", out},
                model + ": a safetensors file, not an official .pt router checkpoint");
        Path truncated = dir.resolve("truncated.pt");
        byte[] whole = Files.readAllBytes(HARMONICA);
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        refused(new String[] {"import-router", truncated.toString(), "--model", missingModel.toString(), "--out", out},
                truncated.toString());
        Files.delete(truncated);
        refused(new String[] {"import-router", HARMONICA.toString(), "--out", dir.resolve("r.png").toString()},
                "--out " + dir.resolve("r.png") + ": a router file is .safetensors");
        refused(new String[] {"import-router", HARMONICA.toString(), "--method", "fora", "--out", out},
                "--method fora: unknown router method 'fora'");
        refused(new String[] {"import-router", HARMONICA.toString(), "--threshold", "2", "--out", out},
                "--threshold must be in [0, 1], got 2.0");
        refused(new String[] {"import-router", HARMONICA.toString(), "--model", "DiT-XL/2", "--out", out},
                "--model DiT-XL/2 is a preset");
        refused(new String[] {"import-router", HARMONICA.toString(), "--out", junk.resolve("x.safetensors").toString()},
                junk + " is not a directory");
        refused(new String[] {"import-router", "--out", out}, "Missing required parameter: 'IN.pt'");
    }

    @Test
    void aTrainedRouterCarriesItsProvenanceAndInfoPrintsIt() throws Exception {
        Path model = tinyModel(dir);
        Path out = dir.resolve("trained.safetensors");
        Result r = run("train-router", "--method", "harmonica", "--model", model.toString(), "--steps", "4",
                "--iters", "2", "--checkpoint-every", "0", "--threads", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Router trained = RouterFile.load(out);
        assertProvenance(trained.provenance());
        assertEquals("1", trained.provenance().get(Provenance.THREADS_KEY));
        Result info = run("info", "--router", out.toString());
        assertEquals(0, info.code(), info.err());
        String p = Provenance.current(1).summary();
        assertTrue(info.out().contains("written by       " + p + "\n"), info.out());
        assertTrue(info.out().contains("  library_version = " + Provenance.current().version() + "\n"), info.out());
        // A router of an earlier ditcache (the shipped ones among them) recorded the revision alone.
        Path older = dir.resolve("older.safetensors");
        RouterFile.save(older, new Router(trained.method(), trained.logits(), trained.sampler(), trained.cfg(),
                trained.modelFingerprint(), trained.defaultThreshold(), Map.of("git_revision", "aada9f6")));
        Result old = run("info", "--router", older.toString());
        assertTrue(old.out().contains("written by       ditcache unknown (git aada9f6), Java unknown, threads unknown\n"),
                old.out());
    }

    @Test
    void infoOnAModelFilePrintsWhatWroteItAndItsMetadata() throws Exception {
        Path model = tinyModel(dir);
        Result bare = run("info", "--model", model.toString());
        assertEquals(0, bare.code(), bare.err());
        assertTrue(bare.out().contains("written by       (not recorded"), bare.out());
        assertTrue(bare.out().contains("  ditcache.config.heads = 4\n"), bare.out());
        io.ditcache.tensor.StateDict sd = SafeTensors.read(model);
        sd.metadata().putAll(new Provenance("9.9.9", "feedface", "17.0.99", 7).toMap(Provenance.MODEL_PREFIX));
        Path stamped = dir.resolve("stamped.safetensors");
        SafeTensors.write(stamped, sd, io.ditcache.io.DType.F32);
        Result info = run("info", "--model", stamped.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("written by       ditcache 9.9.9 (git feedface), Java 17.0.99, 7 threads\n"), info.out());
        assertTrue(info.out().contains("parameters       "), info.out());
    }

    @Test
    void sampledLatentsCarryTheProvenanceOfTheRun() throws Exception {
        Path model = tinyModel(dir);
        Path out = dir.resolve("s.safetensors");
        Result r = run("sample", "--model", model.toString(), "--steps", "2", "--n", "1", "--threads", "1",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, String> m = SafeTensors.read(out).metadata();
        assertEquals(Provenance.current(1), Provenance.fromMetadata(m, ""));
    }
}
