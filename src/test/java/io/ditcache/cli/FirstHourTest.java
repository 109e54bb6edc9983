package io.ditcache.cli;

import static io.ditcache.cli.CommandLineTest.run;
import static io.ditcache.cli.CommandLineTest.tinyModel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.ModelFingerprint;
import io.ditcache.cache.Router;
import io.ditcache.cache.RouterFile;
import io.ditcache.cache.RouterMethod;
import io.ditcache.cache.ShippedRouters;
import io.ditcache.cli.CommandLineTest.Result;
import io.ditcache.data.FashionMnist;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.ConfigInference;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.DiTInitializer;
import io.ditcache.model.ParameterLayout;
import io.ditcache.tensor.Parallel;
import io.ditcache.tensor.StateDict;
import io.ditcache.train.DiffusionTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A new user's first hour (issue 12): shipped routers by name, {@code info}, defaults that follow the model, progress
 * for silent phases, {@code --threads} everywhere, the statistics and wording, and {@code train-model}'s loss curve
 * across a kill and a resume. Errors exit with status 2, name the flag or file, and write nothing.
 */
class FirstHourTest {
    @TempDir
    Path dir;

    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        if (Parallel.threads() != threadsBefore) {
            Parallel.setThreads(threadsBefore); // --threads sets a process-wide count
        }
    }

    private List<Path> filesIn(Path d) throws Exception {
        try (Stream<Path> files = Files.walk(d)) {
            return new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
        }
    }

    /** Expects exit status 2, every fragment in the error output and no file written under dir besides {@code keep}. */
    private Result refused(List<Path> keep, String... args) throws Exception {
        return refusedWith(keep, args);
    }

    private Result refusedWith(List<Path> keep, String[] args, String... fragments) throws Exception {
        Result r = run(args);
        assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err() + r.out());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
        List<Path> written = filesIn(dir);
        written.removeAll(keep);
        assertEquals(List.of(), written, "nothing may be written: " + String.join(" ", args));
        return r;
    }

    private static String[] args(String... a) {
        return a;
    }

    private Path tinyRouter(Path model, Map<String, String> provenance) throws Exception {
        StateDict sd = SafeTensors.read(model);
        DiT m = new DiT(ConfigInference.infer(sd, "tiny", null), sd);
        float[][] logits = new float[4][m.config().units()];
        logits[1][0] = -3; // one reused unit at the default threshold
        Router r = new Router(RouterMethod.HARMONICA, logits, "ddim", 1.5, ModelFingerprint.of(m), 0.1, provenance);
        Path f = dir.resolve("tiny-router.safetensors");
        RouterFile.save(f, r);
        return f;
    }

    // 1. Shipped routers by name.

    @Test
    void aShippedRouterCanBeNamedAndDefaultsFollowTheEmbeddedModel() throws Exception {
        Path png = dir.resolve("cached.png");
        Path stats = dir.resolve("stats.json");
        Result r = run("sample", "--cache", "router:dit-fmnist-harmonica-ddim20", "--n", "1", "--out", png.toString(),
                "--stats", stats.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(png) > 100);
        String json = Files.readString(stats);
        for (String key : new String[] {"\"policy\": \"router:dit-fmnist-harmonica-ddim20\"", "\"sampler\": \"ddim+clip\"",
                "\"cfg\": 1.50000", "\"seed\": 0", "\"threshold\": " + String.format(java.util.Locale.ROOT, "%.6g",
                ShippedRouters.load("dit-fmnist-harmonica-ddim20").defaultThreshold())}) {
            assertTrue(json.contains(key), key + " missing in\n" + json);
        }
        // The defaults are the router's own settings: no warning about them.
        assertFalse(r.err().contains("warning"), r.err());
        assertTrue(r.out().contains("wrote 1 sample -> "), r.out());
        // NAME.safetensors works too.
        assertEquals(RouterMethod.L2C, ShippedRouters.load("dit-fmnist-l2c-ddim10.safetensors").method());
    }

    @Test
    void anUnknownRouterNameListsTheShippedOnesAndAShippedRouterRefusesAnotherModel() throws Exception {
        Path model = tinyModel(dir);
        String png = dir.resolve("never.png").toString();
        Result r = refusedWith(List.of(model), args("sample", "--cache", "router:dit-fmnist-harmonica-ddim21", "--out", png),
                "dit-fmnist-harmonica-ddim21: no such router file (--cache router:dit-fmnist-harmonica-ddim21), nor a shipped"
                        + " router of that name; shipped routers (for --model default): ");
        for (String name : ShippedRouters.NAMES) {
            assertTrue(r.err().contains(name), name + " not listed: " + r.err());
        }
        refusedWith(List.of(model), args("sample", "--model", model.toString(), "--steps", "20", "--cache",
                "router:dit-fmnist-harmonica-ddim20", "--out", png), "dit-fmnist-harmonica-ddim20: router made for depth 12",
                "(dit-fmnist-harmonica-ddim20 is a shipped router, made for the embedded model, 'default');"
                        + " pass --model default");
    }

    // 2. info.

    @Test
    void infoListsThePresetsAndTheShippedRoutersWithTheirSettings() {
        Result r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("DiT-FMNIST"), r.out());
        for (String preset : DiTConfig.PRESETS.keySet()) {
            assertTrue(r.out().contains(preset), preset + " not listed: " + r.out());
        }
        for (String name : ShippedRouters.NAMES) {
            assertTrue(r.out().lines().anyMatch(l -> l.contains(name) && l.contains("ddim+clip") && l.contains(" 1.5 ")
                    && l.matches(".*\\b(harmonica|l2c)\\b.*") && l.matches(".* \\d+\\.\\d%$")), name + ": " + r.out());
        }
        assertTrue(r.out().contains("cache usage at threshold"), r.out());
        Result model = run("info", "--model", "DiT-XL/2");
        assertFalse(model.out().contains("shipped routers"), "with --model, only that model: " + model.out());
    }

    @Test
    void infoReadsARouterFileWithItsMetadata() throws Exception {
        Path model = tinyModel(dir);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("trainer", "harmonica");
        provenance.put("convergence.undecided", "0.125");
        Path router = tinyRouter(model, provenance);
        Result r = run("info", "--router", router.toString());
        assertEquals(0, r.code(), r.err());
        for (String line : new String[] {"router           " + router, "method           harmonica",
                "steps / depth    4 / 2 (4 cache units)", "sampler          ddim", "cfg              1.5",
                "threshold        0.1", "cache usage      6.3% of (step, unit) pairs", "convergence.undecided = 0.125",
                "trainer = harmonica", "fingerprint depth=2"}) {
            assertTrue(r.out().contains(line), "'" + line + "' not in:\n" + r.out());
        }
        Result shipped = run("info", "--router", "dit-fmnist-l2c-ddim50");
        assertEquals(0, shipped.code(), shipped.err());
        assertTrue(shipped.out().contains("threshold_landed_for_usage = 0.35"), shipped.out());
        refusedWith(List.of(model, router), args("info", "--router", dir.resolve("nosuch").toString()),
                "--router " + dir.resolve("nosuch") + ": no such file, nor a shipped router; shipped routers: "
                        + ShippedRouters.list());
        refusedWith(List.of(model, router), args("info", "--router", model.toString()), model.toString(),
                "not a ditcache router file");
    }

    // 3. Defaults follow the model; a router used off its settings warns.

    @Test
    void otherModelsDefaultToPlainDdimAndARouterUsedOffItsSettingsWarns() throws Exception {
        Path model = tinyModel(dir);
        Path router = tinyRouter(model, Map.of());
        Path stats = dir.resolve("plain.json");
        Result plain = run("sample", "--model", model.toString(), "--steps", "2", "--n", "1",
                "--out", dir.resolve("plain.png").toString(), "--stats", stats.toString());
        assertEquals(0, plain.code(), plain.err());
        assertTrue(Files.readString(stats).contains("\"sampler\": \"ddim\","), Files.readString(stats));
        Result off = run("sample", "--model", model.toString(), "--steps", "4", "--n", "1", "--cache", "router:" + router,
                "--sampler", "ddpm", "--cfg", "4", "--out", dir.resolve("off.png").toString());
        assertEquals(0, off.code(), off.err());
        assertTrue(off.err().contains("warning: " + router + ": the router was trained for sampler ddim but is used with"
                + " --sampler ddpm, and for guidance --cfg 1.5 but is used with --cfg 4.0; its plan may not fit these"
                + " trajectories (to use it as trained: --sampler ddim, --cfg 1.5)"), off.err());
        Result on = run("sample", "--model", model.toString(), "--steps", "4", "--n", "1", "--cache", "router:" + router,
                "--out", dir.resolve("on.png").toString());
        assertEquals(0, on.code(), on.err());
        assertFalse(on.err().contains("trained for"), on.err());
    }

    // 4. Progress for silent phases.

    @Test
    void bigModelsSayWhatTheirSilentSetUpIsDoing() {
        Result r = run("bench-forward", "--model", "DiT-S/8", "--random-weights", "--batch", "1", "--warmup", "0",
                "--repeats", "1", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        String params = String.format(java.util.Locale.ROOT, "%,d", ParameterLayout.count(DiTConfig.preset("DiT-S/8")));
        String phase = "DiT-S/8: drawing " + params + " random weights, packing them for fast inference";
        assertTrue(r.err().contains(phase + " ...\n"), r.err());
        assertTrue(r.err().contains(phase + ": done in "), r.err());
        assertTrue(r.out().contains("threads 1"), r.out());
    }

    // 5. --threads, --compare-uncached, statistics, wording, bare ditcache.

    @Test
    void everyComputeCommandTakesThreads() throws Exception {
        CommandLine cl = Main.commandLine();
        for (String c : new String[] {"sample", "eval", "demo", "train-model", "train-classifier", "train-router", "bench-forward"}) {
            assertTrue(cl.getSubcommands().get(c).getCommandSpec().findOption("--threads") != null, c);
        }
        Path model = tinyModel(dir);
        refusedWith(List.of(model), args("sample", "--model", model.toString(), "--threads", "0",
                "--out", dir.resolve("never.png").toString()), "--threads must be >= 1, got 0");
        refusedWith(List.of(model), args("train-model", "--threads", "0", "--iters", "1",
                "--out", dir.resolve("m.safetensors").toString()), "--threads must be >= 1, got 0");
        Result r = run("sample", "--model", model.toString(), "--steps", "2", "--n", "1", "--threads", "1",
                "--out", dir.resolve("one.png").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, Parallel.threads());
    }

    @Test
    void compareUncachedReportsPsnrAndSsimAndItsProgressReachesTheEnd() throws Exception {
        Path model = tinyModel(dir);
        Path stats = dir.resolve("s.json");
        Result r = run("sample", "--model", model.toString(), "--steps", "4", "--n", "2", "--cache", "fora:2",
                "--compare-uncached", "--out", dir.resolve("g.png").toString(), "--stats", stats.toString());
        assertEquals(0, r.code(), r.err());
        // 2 uncached trajectories (a warm-up and the timed one) and the cached one: 12 steps in all.
        assertTrue(r.err().contains("sample fora:2 100% 12/12 step"), r.err());
        assertTrue(r.out().contains(" vs uncached"), r.out());
        assertTrue(r.out().matches("(?s).*PSNR \\d+\\.\\d\\d dB / SSIM [-0-9.]+ vs uncached.*"), r.out());
        String json = Files.readString(stats);
        assertTrue(json.matches("(?s).*\"psnr_vs_uncached\": [0-9.e+]+,.*\"ssim_vs_uncached\": [-0-9.e+]+,.*"), json);
    }

    @Test
    void statsSaySamplerSeedCfgThresholdAndStepOrderAndNoneHoldsNoCache() throws Exception {
        Path model = tinyModel(dir);
        Path fora = dir.resolve("fora.json");
        Result r = run("sample", "--model", model.toString(), "--steps", "4", "--n", "1", "--cache", "fora:2",
                "--seed", "5", "--cfg", "2", "--out", dir.resolve("f.png").toString(), "--stats", fora.toString());
        assertEquals(0, r.code(), r.err());
        String json = Files.readString(fora);
        for (String key : new String[] {"\"sampler\": \"ddim\"", "\"seed\": 5", "\"cfg\": 2.00000", "\"threshold\": null",
                "\"step_order\": \"sampling order: index 0 is the first step run (the noisiest",
                // fora:2 computes the first step run, reuses the second, ...: in sampling order.
                "\"per_step_reused\": [0, 4, 0, 4]"}) {
            assertTrue(json.contains(key), key + " missing in\n" + json);
        }
        assertTrue(r.out().matches("(?s).*reused 50\\.0% of unit executions, [0-9.]+ of [0-9.]+ [MG]?MACs \\(1\\.\\d\\dx fewer\\).*"),
                r.out());
        Path none = dir.resolve("none.json");
        r = run("sample", "--model", model.toString(), "--steps", "2", "--n", "1", "--out", dir.resolve("n.png").toString(),
                "--stats", none.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(none).contains("\"peak_cache_bytes\": 0,"), Files.readString(none));
        assertTrue(r.out().contains("peak cache 0.0 MiB"), r.out());
        assertTrue(r.out().contains("MACs (as many as uncached)"), r.out());
        assertFalse(r.out().contains("1.00x fewer"), r.out());
        assertTrue(r.out().contains("wrote 1 sample -> "), r.out());
    }

    @Test
    void bareDitcacheIsAUsageError() {
        Result r = run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("a command is required") && r.err().contains("Usage: ditcache"), r.err());
    }

    @Test
    void evalWarnsAtSmallNAndShowsItsSetUpAndJudgingWithANamedRouter() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "needs dataset-fashion-mnist");
        Path out = dir.resolve("ev");
        Result r = run("eval", "--steps", "10", "--methods", "router:dit-fmnist-l2c-ddim10", "--n", "2", "--batch", "2",
                "--threads", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: --n 2 is below 1000: the FID over the classifier's 128 features is biased"), r.err());
        assertTrue(r.err().contains("classifier features of the 10,000 Fashion-MNIST test images (for FID): done in "), r.err());
        assertTrue(r.err().contains("PSNR/SSIM, class consistency and FID of 2 methods: done in "), r.err());
        assertFalse(r.err().contains("trained for"), "the defaults are the router's: " + r.err());
        assertTrue(Files.readString(out.resolve("report.md")).contains("ddim+clip-10, cfg 1.50, 2 samples, seed 0, 1 threads"),
                Files.readString(out.resolve("report.md")));
        assertTrue(Files.exists(out.resolve("samples-router_dit-fmnist-l2c-ddim10.png")));
    }

    @Test
    void demoSaysWhereItWrites() throws Exception {
        Path png = dir.resolve("demo.png");
        Result r = run("demo", "--repeats", "1", "--threads", "1", "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("demo: writes its side-by-side image to " + png.toAbsolutePath()), r.out());
        assertTrue(r.out().contains("side by side -> " + png.toAbsolutePath()), r.out());
        assertTrue(r.out().matches("(?s).*demo took \\d+\\.\\d s in all.*"), r.out());
        assertFalse(r.out().contains("1.00x fewer"), r.out());
        assertTrue(Files.size(png) > 100);
    }

    // 6. train-model: --resume names the flag; the loss curve survives a kill.

    private static final String[] TRAIN = {"--iters", "12", "--batch", "2", "--checkpoint-every", "3", "--loss-every", "4",
            "--seed", "3"};

    private static String[] train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train-model"));
        a.addAll(List.of(TRAIN));
        a.addAll(List.of(more));
        a.add("--out");
        a.add(out.toString());
        return a.toArray(String[]::new);
    }

    /** Stops a run after an iteration's loss row and before its checkpoint, as a kill there would. */
    static final class Killed extends RuntimeException {
    }

    @Test
    void aKilledAndResumedTrainModelLeavesTheLossCurveOfAnUninterruptedRun() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "needs dataset-fashion-mnist");
        Path straight = dir.resolve("straight/m.safetensors");
        Result r = run(train(straight));
        assertEquals(0, r.code(), r.err());
        String expected = Files.readString(dir.resolve("straight/m.safetensors.loss.csv"));
        assertEquals(List.of("iteration", "4", "8", "12"), expected.lines().map(l -> l.split(",")[0]).toList(), expected);

        // The same run, killed at iteration 8 (after its loss row, before a checkpoint): what train-model's own trainer
        // leaves, made with the settings train-model passes it. The last checkpoint (6) holds iterations 5 and 6 of the
        // open loss window; the curve has a row (8) past it, and the kill tore a line.
        Path killed = dir.resolve("killed/m.safetensors");
        Files.createDirectories(killed.getParent());
        Path csv = dir.resolve("killed/m.safetensors.loss.csv");
        Path ckpt = dir.resolve("killed/m.safetensors.ckpt.safetensors");
        DiffusionTrainer first = new DiffusionTrainer(DiTInitializer.initialize(DiTConfig.FASHION_MNIST, 3),
                new FashionMnist().train(), new DiffusionTrainer.Settings(2, 5e-4, 200, 0, 0.0, 0.999, 0.1, 3, 3));
        first.logLossTo(csv, 4);
        assertThrows(Killed.class, () -> first.train(12, ckpt, (it, total, loss) -> {
            if (it == 8) {
                throw new Killed();
            }
        }));
        Files.writeString(csv, "9,0.51\n10,0.4", java.nio.file.StandardOpenOption.APPEND);

        r = run(train(killed, "--resume"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed at iteration 6"), r.out());
        assertEquals(expected, Files.readString(csv));
        StateDict a = SafeTensors.read(straight);
        StateDict b = SafeTensors.read(killed);
        for (String k : a.keys()) {
            assertArrayEquals(a.get(k).data(), b.get(k).data(), 0f, k + ": the weights are bit-exact too");
        }
    }

    @Test
    void resumingWithOtherSettingsNamesTheFlagAndChangesNothing() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "needs dataset-fashion-mnist");
        Path out = dir.resolve("m.safetensors");
        Result r = run("train-model", "--iters", "2", "--batch", "2", "--checkpoint-every", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<Path> files = filesIn(dir);
        Map<Path, byte[]> before = new LinkedHashMap<>();
        for (Path f : files) {
            before.put(f, Files.readAllBytes(f));
        }
        r = refusedWith(files, args("train-model", "--resume", "--iters", "3", "--batch", "2", "--lr", "1e-3", "--seed", "4",
                "--out", out.toString()), "--resume: " + out + ".ckpt.safetensors was written with --lr 5.0E-4 --seed 0,"
                + " this run has --lr 0.001 --seed 4; resume with the checkpoint's values");
        assertFalse(r.err().contains("Settings["), r.err());
        for (Path f : files) {
            assertArrayEquals(before.get(f), Files.readAllBytes(f), f + " changed");
        }
        // The checkpoint interval does not change the weights: it may change on --resume.
        r = run("train-model", "--resume", "--iters", "3", "--batch", "2", "--checkpoint-every", "5", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed at iteration 2"), r.out());
    }
}
