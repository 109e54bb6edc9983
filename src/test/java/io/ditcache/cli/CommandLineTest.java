package io.ditcache.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.DiTInitializer;
import io.ditcache.tensor.StateDict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {
    record Result(int code, String out, String err) {
    }

    /** Runs the command line; {@code err} holds picocli's error stream and then what went to System.err (notes, warnings). */
    static Result run(String... args) {
        PrintStream old = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        // Redirected before the CommandLine is made: picocli's default execution strategy remembers the streams
        // of that moment and, when they differ at execute time, puts them back over setOut/setErr.
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        StringWriter help = new StringWriter();
        cl.setOut(new PrintWriter(help, true));
        try {
            int code = cl.execute(args);
            cl.getOut().flush();
            cl.getErr().flush();
            return new Result(code, help + out.toString(StandardCharsets.UTF_8),
                    err + stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
            System.setErr(oldErr);
        }
    }

    static Path tinyModel(Path dir) throws Exception {
        DiTConfig c = new DiTConfig("tiny-pixel", 2, 32, 4, 4, 1, 16, 3, false, 2);
        DiT m = DiT.random(c, 1);
        StateDict sd = m.stateDict();
        sd.metadata().put(io.ditcache.model.ConfigInference.META_HEADS, "4");
        Path p = dir.resolve("tiny.safetensors");
        SafeTensors.write(p, sd, DType.F32);
        return p;
    }

    @Test
    void infoPrintsTheXl2Figures() {
        Result r = run("info", "--model", "DiT-XL/2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("675,129,632"), r.out());
        assertTrue(r.out().contains("118.62 G"), r.out());
        assertTrue(r.out().contains("gemm             java backend, tile "), r.out());
    }

    @Test
    void sampleWritesAGridAndStatsWithTheRequestedPolicy(@TempDir Path dir) throws Exception {
        Path model = tinyModel(dir);
        Path png = dir.resolve("grid.png");
        Path stats = dir.resolve("stats.json");
        Result r = run("sample", "--model", model.toString(), "--steps", "4", "--n", "3", "--cache", "fora:2",
                "--sampler", "ddim+clip", "--out", png.toString(), "--stats", stats.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(png) > 100);
        String json = Files.readString(stats);
        assertTrue(json.contains("\"cache_usage_ratio\": 0.5"), json);
        assertTrue(json.contains("\"macs_uncached\""), json);
        assertTrue(r.out().contains("reused 50.0%"), r.out());
    }

    @Test
    void badInputNamesTheCulpritAndWritesNothing(@TempDir Path dir) throws Exception {
        Path model = tinyModel(dir);
        Path png = dir.resolve("never.png");
        Result r = run("sample", "--model", model.toString(), "--cache", "fora:zero", "--out", png.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("fora"), r.err());
        assertFalse(Files.exists(png));
        r = run("sample", "--model", dir.resolve("missing.pt").toString(), "--out", png.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.pt"), r.err());
        r = run("sample", "--model", "DiT-S/2", "--out", png.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--random-weights"), r.err());
        r = run("sample", "--model", model.toString(), "--labels", "7", "--out", png.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--labels"), r.err());
        r = run("sample", "--model", model.toString(), "--weights", "fp16", "--out", png.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--weights fp16: expected fp32 or bf16"), r.err());
        assertFalse(Files.exists(png));
    }

    /** {@code --weights bf16} samples with the weights rounded to bf16: close to, not equal to, fp32. */
    @Test
    void bf16WeightsSampleCloseToFp32(@TempDir Path dir) throws Exception {
        Path model = tinyModel(dir);
        Path fp32 = dir.resolve("fp32.safetensors");
        Path bf16 = dir.resolve("bf16.safetensors");
        assertEquals(0, run("sample", "--model", model.toString(), "--n", "2", "--steps", "4", "--out", fp32.toString()).code());
        Result r = run("sample", "--model", model.toString(), "--n", "2", "--steps", "4", "--weights", "bf16", "--out", bf16.toString());
        assertEquals(0, r.code(), r.err());
        float[] a = io.ditcache.io.SafeTensors.read(fp32).get("samples").data();
        float[] b = io.ditcache.io.SafeTensors.read(bf16).get("samples").data();
        double err = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            err = Math.max(err, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        assertTrue(err > 0 && err < 0.05 * scale, "max |bf16 - fp32| " + err + " of scale " + scale);
    }

    @Test
    void trainModelRefusesToClobberACheckpointWithoutResume(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("m.safetensors");
        Files.writeString(dir.resolve("m.safetensors.ckpt.safetensors"), "x");
        Result r = run("train-model", "--iters", "1", "--out", out.toString(), "--data-dir", dir.toString());
        assertEquals(2, r.code());
        assertFalse(Files.exists(out));
    }

    @Test
    void everyTrainerNamesItsCheckpointOutCkptSafetensorsAndChecksResumeFirst(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("c.safetensors");
        Path ckpt = dir.resolve("c.safetensors.ckpt.safetensors");
        String usage = Main.commandLine().getSubcommands().get("train-classifier").getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(usage.contains("OUT.ckpt.safetensors"), usage);
        // Checked before any data is read (--data-dir names an empty directory).
        for (String command : new String[] {"train-classifier", "train-model"}) {
            Result r = run(command, "--resume", "--out", out.toString(), "--data-dir", dir.toString());
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--resume: no checkpoint " + ckpt), r.err());
        }
        Result r = run("train-router", "--resume", "--out", out.toString());
        assertTrue(r.code() == 2 && r.err().contains("--resume: no checkpoint " + ckpt), r.err());
        assertFalse(r.out().contains("loading"), "checked before the model is loaded: " + r.out());
        // A checkpoint of an older train-classifier (OUT.ckpt) is named, with what to do.
        Files.writeString(dir.resolve("c.safetensors.ckpt"), "x");
        r = run("train-classifier", "--resume", "--out", out.toString(), "--data-dir", dir.toString());
        assertTrue(r.code() == 2 && r.err().contains("c.safetensors.ckpt is a train-classifier checkpoint of an older"
                + " ditcache: rename it to " + ckpt), r.err());
        // A fresh run does not overwrite a checkpoint.
        Files.writeString(ckpt, "x");
        r = run("train-classifier", "--out", out.toString(), "--data-dir", dir.toString());
        assertTrue(r.code() == 2 && r.err().contains(ckpt + " exists: pass --resume to continue it"), r.err());
        assertEquals("x", Files.readString(ckpt));
        assertFalse(Files.exists(out));
    }

    @Test
    void trainModelCanStartFromTheEmbeddedWeights(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                "needs dataset-fashion-mnist");
        Path out = dir.resolve("m.safetensors");
        Result r = run("train-model", "--init", "default", "--iters", "1", "--batch", "2", "--save", "final", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        io.ditcache.tensor.StateDict trained = io.ditcache.io.SafeTensors.read(out);
        io.ditcache.tensor.StateDict start = io.ditcache.Models.from("default").loadUnpacked().stateDict();
        float[] w0 = start.get("blocks.0.attn.qkv.weight").data();
        float[] w1 = trained.get("blocks.0.attn.qkv.weight").data();
        double moved = 0;
        for (int i = 0; i < w0.length; i++) {
            moved = Math.max(moved, Math.abs(w1[i] - w0[i]));
        }
        // One AdamW step at warm-up learning rate 5e-4/200 moves each weight by about that much, no more.
        assertTrue(moved > 0 && moved < 1e-4, "max weight change " + moved);
        assertTrue(trained.metadata().get("ditcache.provenance").contains(" init=default "),
                trained.metadata().get("ditcache.provenance"));
        assertEquals(io.ditcache.Provenance.current(),
                io.ditcache.Provenance.fromMetadata(trained.metadata(), io.ditcache.Provenance.MODEL_PREFIX));
        Result info = run("info", "--model", out.toString());
        assertTrue(info.out().contains("written by       " + io.ditcache.Provenance.current().summary() + "\n"), info.out());
        Result schedule = run("train-model", "--init", "default", "--lr-schedule", "linear", "--iters", "1",
                "--out", dir.resolve("l.safetensors").toString());
        assertEquals(2, schedule.code());
        assertTrue(schedule.err().contains("--lr-schedule"), schedule.err());
        Result bad = run("train-model", "--init", "default", "--config", "DiT-S/8", "--iters", "1",
                "--out", dir.resolve("s.safetensors").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--init default"), bad.err());
    }

    @Test
    void everyCommandHasHelp() {
        CommandLine cl = Main.commandLine();
        for (String c : new String[]{"demo", "info", "sample", "eval", "train-router", "import-router", "train-model", "train-classifier", "bench-forward"}) {
            CommandLine sub = cl.getSubcommands().get(c);
            org.junit.jupiter.api.Assertions.assertNotNull(sub, c);
            String usage = sub.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertTrue(usage.contains("Usage: ditcache " + c) && usage.contains("--help"), c + ": " + usage);
        }
    }
}
