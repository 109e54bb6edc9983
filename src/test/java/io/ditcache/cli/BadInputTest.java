package io.ditcache.cli;

import static io.ditcache.cli.CommandLineTest.run;
import static io.ditcache.cli.CommandLineTest.tinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.ModelFingerprint;
import io.ditcache.cache.Router;
import io.ditcache.cache.RouterFile;
import io.ditcache.cache.RouterMethod;
import io.ditcache.cli.CommandLineTest.Result;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.ConfigInference;
import io.ditcache.model.DiT;
import io.ditcache.tensor.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad command-line input (issue 12): each case exits with status 2 before any model is loaded or sample computed,
 * names the flag or file at fault, and writes nothing.
 */
class BadInputTest {
    @TempDir
    Path dir;

    /** Runs {@code args}, expects exit status 2 with every fragment in the error output, and no file in dir but {@code keep}. */
    private Result refused(List<Path> keep, String[] args, String... fragments) throws Exception {
        Result r = run(args);
        assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err() + r.out());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> written = new ArrayList<>(files.filter(p -> !p.equals(dir) && !keep.contains(p)).toList());
            assertEquals(List.of(), written, "nothing may be written: " + String.join(" ", args));
        }
        return r;
    }

    private static String[] args(String... a) {
        return a;
    }

    /** A regular file, so that "FILE/x.png" has a parent that is not a directory. */
    private Path regularFile() throws Exception {
        return Files.writeString(dir.resolve("plain-file"), "x");
    }

    private Path router(Path model, String fingerprint) throws Exception {
        StateDict sd = SafeTensors.read(model);
        DiT m = new DiT(ConfigInference.infer(sd, "tiny", null), sd);
        Router r = new Router(RouterMethod.HARMONICA, new float[4][m.config().units()], "ddim", 1.5,
                fingerprint == null ? ModelFingerprint.of(m) : fingerprint, 0.1, Map.of());
        Path f = dir.resolve(fingerprint == null ? "with-fp.safetensors" : "no-fp.safetensors");
        RouterFile.save(f, r);
        return f;
    }

    @Test
    void nonFiniteNumbersAreRefusedWhereverANumberIsTaken() throws Exception {
        Path model = tinyModel(dir);
        String png = dir.resolve("never.png").toString();
        List<Path> keep = List.of(model);
        for (String cfg : new String[] {"Infinity", "NaN", "-Infinity", "1e39"}) {
            refused(keep, args("sample", "--model", model.toString(), "--cfg", cfg, "--out", png),
                    "Invalid value for option '--cfg'", "'" + cfg + "' is not a finite number");
        }
        refused(keep, args("sample", "--model", model.toString(), "--threshold", "NaN", "--out", png), "'--threshold'");
        refused(keep, args("eval", "--model", model.toString(), "--cfg", "NaN", "--out", dir.resolve("ev").toString()),
                "'--cfg'");
        refused(keep, args("sample", "--model", model.toString(), "--cache", "fbcache:NaN", "--out", png),
                "--cache 'fbcache:NaN'", "finite");
        refused(keep, args("sample", "--model", model.toString(), "--cache", "delta-dit:boundary=Infinity", "--out", png),
                "delta-dit", "Infinity");
        // The converter is shared by every command, those that this change does not touch included.
        refused(keep, args("train-router", "--model", model.toString(), "--cfg", "Infinity",
                "--out", dir.resolve("r.safetensors").toString()), "'--cfg'", "not a finite number");
        refused(keep, args("train-model", "--lr", "NaN", "--iters", "1", "--out", dir.resolve("m.safetensors").toString()),
                "'--lr'");
        // the decision term: kappa 0 (off) or >= 1, and only with a landed threshold
        refused(keep, args("train-router", "--model", model.toString(), "--target-usage", "0.3", "--decide", "0.5",
                "--out", dir.resolve("r.safetensors").toString()), "--decide must be 0 (off) or >= 1, got 0.5");
        refused(keep, args("train-router", "--model", model.toString(), "--decide", "100",
                "--out", dir.resolve("r.safetensors").toString()), "--decide", "--target-usage");
        refused(keep, args("train-router", "--model", model.toString(), "--target-usage", "0.3", "--landing", "1",
                "--out", dir.resolve("r.safetensors").toString()), "--landing must be in (0, 1), got 1.0");
    }

    @Test
    void aBadShardOrShardFileIsRefusedBeforeAnyWork() throws Exception {
        String png = dir.resolve("never.png").toString();
        String ev = dir.resolve("ev").toString();
        refused(List.of(), args("sample", "--shard", "2/2", "--out", png), "--shard 2/2: needs 0 <= K < N");
        refused(List.of(), args("sample", "--shard", "half", "--out", png), "--shard 'half': expected K/N");
        refused(List.of(), args("sample", "--n", "3", "--shard", "0/4", "--out", png), "--shard 0/4 of 3 samples",
                "use N <= 3");
        refused(List.of(), args("eval", "--n", "100", "--batch", "50", "--shard", "0/3", "--out", ev),
                "in batches of 50", "use N <= 2");
        refused(List.of(), args("eval-merge", "--out", ev, dir.resolve("missing.json").toString()), "missing.json",
                "no such file or directory");
        Path bad = Files.writeString(dir.resolve("shard-0-of-2.json"), "{\"format\": \"ditcache-eval-shard-1\"}");
        refused(List.of(bad), args("eval-merge", "--out", ev, dir.toString()), bad.toString(), "missing key 'job'");
    }

    @Test
    void fewerStepsCannotRunMoreStepsThanRequested() throws Exception {
        Path model = tinyModel(dir);
        String png = dir.resolve("never.png").toString();
        for (String k : new String[] {"1000", "21"}) {
            refused(List.of(model), args("sample", "--model", model.toString(), "--steps", "20", "--cache", "fewer:" + k,
                    "--out", png), "--cache fewer:" + k + " runs more steps than --steps 20");
        }
        refused(List.of(model), args("eval", "--model", model.toString(), "--steps", "20", "--methods", "none,fewer:21",
                "--n", "2", "--out", dir.resolve("ev").toString()), "fewer:21", "--steps 20");
        // K = N is allowed (it equals none), K < N runs K steps.
        for (String k : new String[] {"3", "2"}) {
            Path out = dir.resolve("fewer" + k + ".png");
            Path stats = dir.resolve("fewer" + k + ".json");
            Result r = run("sample", "--model", model.toString(), "--steps", "3", "--n", "1", "--cache", "fewer:" + k,
                    "--out", out.toString(), "--stats", stats.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(Files.readString(stats).contains("\"steps\": " + k), Files.readString(stats));
        }
    }

    @Test
    void demoRefusesBadOptionsBeforeLoadingTheModel() throws Exception {
        String png = dir.resolve("demo.png").toString();
        refused(List.of(), args("demo", "--repeats", "0", "--out", png), "--repeats must be >= 1, got 0");
        refused(List.of(), args("demo", "--method", "fora", "--out", png), "--method must be harmonica or l2c");
        Path file = regularFile();
        Result r = refused(List.of(file), args("demo", "--out", file.resolve("demo.png").toString()),
                "--out " + file.resolve("demo.png"), file + " is not a directory");
        assertFalse(r.out().contains("loading the embedded model"), r.out());
    }

    @Test
    void aRouterWithoutModelFingerprintIsUsedWithAWarning() throws Exception {
        Path model = tinyModel(dir);
        Path bare = router(model, "");
        Path stamped = router(model, null);
        Result r = run("sample", "--model", model.toString(), "--steps", "4", "--n", "1", "--cache", "router:" + bare,
                "--out", dir.resolve("a.png").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: " + bare + ": the router file has no model fingerprint, so only its depth (2)"
                + " and step count (4) could be checked"), r.err());
        Result ok = run("sample", "--model", model.toString(), "--steps", "4", "--n", "1", "--cache", "router:" + stamped,
                "--out", dir.resolve("b.png").toString());
        assertEquals(0, ok.code(), ok.err());
        assertFalse(ok.err().contains("fingerprint"), ok.err());
    }

    @Test
    void aThresholdWithoutARouterIsRefusedNotIgnored() throws Exception {
        Path model = tinyModel(dir);
        String png = dir.resolve("never.png").toString();
        refused(List.of(model), args("sample", "--model", model.toString(), "--cache", "fora:2", "--threshold", "0.2",
                "--out", png), "--threshold 0.2 is a router threshold, but --cache fora:2 uses no router");
        refused(List.of(model), args("sample", "--model", model.toString(), "--threshold", "0.2", "--out", png),
                "--cache none uses no router");
        refused(List.of(model), args("eval", "--model", model.toString(), "--methods", "fbcache:0.1", "--threshold", "0.2",
                "--out", dir.resolve("ev").toString()), "--methods fbcache:0.1 uses no router", "fbcache:T");
        // With a router it is the threshold used.
        Path router = router(model, null);
        Path stats = dir.resolve("s.json");
        Result r = run("sample", "--model", model.toString(), "--steps", "4", "--n", "1", "--cache", "router:" + router,
                "--threshold", "0.3", "--out", dir.resolve("a.png").toString(), "--stats", stats.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(stats).contains("\"threshold\": 0.300000"), Files.readString(stats));
    }

    @Test
    void missingRouterFilesAndDirectoriesAreNamedAsSuch() throws Exception {
        Path model = tinyModel(dir);
        String png = dir.resolve("never.png").toString();
        Path sub = Files.createDirectory(dir.resolve("sub"));
        List<Path> keep = List.of(model, sub);
        refused(keep, args("sample", "--model", model.toString(), "--cache", "router:nosuch", "--out", png),
                "error: nosuch: no such router file (--cache router:nosuch)");
        refused(keep, args("sample", "--model", model.toString(), "--cache", "router:" + sub, "--out", png),
                "--cache 'router:" + sub + "': '" + sub + "' is a directory, not a router file");
        refused(keep, args("eval", "--model", model.toString(), "--methods", "router:nosuch", "--out",
                dir.resolve("ev").toString()), "nosuch: no such router file");
        refused(keep, args("sample", "--model", sub.toString(), "--out", png),
                "--model " + sub + " is a directory, not a weights file");
        Path named = Files.createDirectory(dir.resolve("looks.safetensors"));
        refused(List.of(model, sub, named), args("sample", "--model", named.toString(), "--out", png), "is a directory");
    }

    @Test
    void theCachePolicyIsCheckedBeforeTheModelIsLoaded() throws Exception {
        String png = dir.resolve("never.png").toString();
        // A preset without --random-weights fails when the model is loaded: the --cache error must come first.
        Result r = refused(List.of(), args("sample", "--model", "DiT-XL/2", "--cache", "router:nosuch", "--out", png),
                "no such router file");
        assertFalse(r.err().contains("--random-weights"), r.err());
        r = refused(List.of(), args("sample", "--model", dir.resolve("missing.pt").toString(), "--cache", "fora:zero",
                "--out", png), "--cache 'fora:zero'");
        assertFalse(r.err().contains("missing.pt"), r.err());
    }

    /**
     * Every option of sample and eval is checked before the model is loaded: with {@code --model DiT-XL/2} and no
     * {@code --random-weights}, loading fails at once ("is a preset without weights"), so each error below must come
     * before it. (A label beyond a checkpoint file's classes is known only once its weights are read.)
     */
    @Test
    void everyOptionOfSampleAndEvalIsCheckedBeforeTheModelIsLoaded() throws Exception {
        Path file = regularFile();
        String png = dir.resolve("never.png").toString();
        String[][] sample = {
                {"--n", "0"}, {"--n must be >= 1, got 0"},
                {"--steps", "0"}, {"--steps must be in [1, 1000], got 0"},
                {"--steps", "1001"}, {"--steps must be in [1, 1000]"},
                {"--sampler", "euler"}, {"--sampler"},
                {"--cfg", "NaN"}, {"'--cfg'"},
                {"--threads", "0"}, {"--threads must be >= 1, got 0"},
                {"--gemm-backend", "cuda"}, {"cuda"},
                {"--out", dir.resolve("grid.jpg").toString()}, {"use a .png or .safetensors file name"},
                {"--stats", file.resolve("s.json").toString()}, {"--stats " + file.resolve("s.json")},
                {"--cache", "fora:0"}, {"--cache 'fora:0'"},
                {"--cache", "router:nosuch"}, {"no such router file (--cache router:nosuch)"},
                {"--cache", "fewer:30"}, {"--cache fewer:30 runs more steps than --steps 20"},
                {"--cache", "router:l2c", "--steps", "30"}, {"no l2c router ships for 30 sampling steps"},
                {"--threshold", "0.2"}, {"--threshold 0.2 is a router threshold"},
                {"--cache", "router:harmonica", "--threshold", "1.5"}, {"threshold", "1.5"},
                {"--labels", "-1"}, {"--labels: -1 is negative"},
                {"--labels", "3,1000"}, {"--labels: 1000 is outside [0, 999] (--model DiT-XL/2 has 1000 classes)"},
                {"--heads", "0"}, {"--heads must be >= 1, got 0"},
                {"--input-size", "0"}, {"--input-size must be >= 1, got 0"},
        };
        refusedBeforeLoading("sample", png, sample, file);
        String ev = dir.resolve("ev").toString();
        String[][] eval = {
                {"--n", "1"}, {"--n must be >= 2, got 1"},
                {"--batch", "0"}, {"--batch must be >= 1, got 0"},
                {"--steps", "0"}, {"--steps must be in [1, 1000]"},
                {"--sampler", "euler"}, {"--sampler"},
                {"--threads", "0"}, {"--threads must be >= 1"},
                {"--methods", "none,fora:x"}, {"fora:x"},
                {"--methods", "router:nosuch"}, {"no such router file (--methods router:nosuch)"},
                {"--methods", "fora:2", "--threshold", "0.2"}, {"--methods fora:2 uses no router"},
                {"--out", file.toString()}, {"--out " + file + " exists and is not a directory"},
        };
        refusedBeforeLoading("eval", ev, eval, file);
    }

    /**
     * {@code command --model DiT-XL/2} with each case's options (pairs of rows: the options, the fragments expected),
     * plus {@code --out out} unless the case gives one: refused, and not by the model's loading.
     */
    private void refusedBeforeLoading(String command, String out, String[][] cases, Path keep) throws Exception {
        for (int i = 0; i < cases.length; i += 2) {
            List<String> a = new ArrayList<>(List.of(command, "--model", "DiT-XL/2"));
            a.addAll(List.of(cases[i]));
            if (!a.contains("--out")) {
                a.addAll(List.of("--out", out));
            }
            Result r = refused(List.of(keep), a.toArray(String[]::new), cases[i + 1]);
            assertFalse(r.err().contains("is a preset without weights"), "checked after loading: " + a + "\n" + r.err());
        }
    }

    @Test
    void aRouterMethodIsTheShippedRouterOfTheStepsAndAStepCountWithoutOneIsRefusedBeforeLoading() throws Exception {
        String png = dir.resolve("never.png").toString();
        Result r = refused(List.of(), args("sample", "--cache", "router:l2c", "--steps", "30", "--out", png),
                "router:l2c: no l2c router ships for 30 sampling steps; the shipped ones are for [10, 20, 50] steps");
        assertFalse(r.out().contains("loading") || r.err().contains("DiT-FMNIST"), r.out() + r.err());
    }

    @Test
    void unwritableOutputsFailBeforeAnyWorkNamingTheUsersPath() throws Exception {
        Path model = tinyModel(dir);
        Path file = regularFile();
        List<Path> keep = List.of(model, file);
        String inFile = file.resolve("x.png").toString();
        Result r = refused(keep, args("sample", "--model", "DiT-XL/2", "--out", inFile), "--out " + inFile,
                file + " is not a directory");
        assertFalse(r.err().contains("--random-weights"), "checked before the model: " + r.err());
        Path pngDir = Files.createDirectory(dir.resolve("d.png"));
        keep = List.of(model, file, pngDir);
        refused(keep, args("sample", "--model", model.toString(), "--out", pngDir.toString()),
                "--out " + pngDir + " is a directory; give a file name");
        // --stats is checked before sampling, so the PNG is not written either.
        String stats = file.resolve("s.json").toString();
        refused(keep, args("sample", "--model", model.toString(), "--steps", "2", "--n", "1",
                "--out", dir.resolve("grid.png").toString(), "--stats", stats), "--stats " + stats);
        refused(keep, args("eval", "--model", "DiT-XL/2", "--out", file.resolve("ev").toString()), "--out " + file.resolve("ev"));
        refused(keep, args("eval", "--model", model.toString(), "--out", file.toString()),
                "--out " + file + " exists and is not a directory");
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc");
        r = refused(keep, args("sample", "--model", model.toString(), "--out", "/proc/x.png"),
                "--out /proc/x.png: cannot create files in /proc");
        assertFalse(r.err().contains(".tmp"), "names the user's path, not a temporary file: " + r.err());
        refused(keep, args("eval", "--model", model.toString(), "--out", "/proc/ev"), "--out /proc/ev: cannot create files in /proc");
        refused(keep, args("demo", "--out", "/proc/demo.png"), "--out /proc/demo.png");
    }
}
