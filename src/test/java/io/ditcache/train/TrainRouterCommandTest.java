package io.ditcache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.Router;
import io.ditcache.cache.RouterFile;
import io.ditcache.cache.RouterMethod;
import io.ditcache.cli.TrainRouterCommand;
import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiT;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI end to end on the tiny model: output with provenance, checkpoint, refusal to overwrite, exact resume. */
class TrainRouterCommandTest {
    @TempDir
    Path dir;

    private int run(String... args) {
        return new CommandLine(new TrainRouterCommand()).execute(args);
    }

    @Test
    void trainsResumesAndRecordsProvenance() throws Exception {
        DiT model = TinyRouterSetup.model();
        Path weights = dir.resolve("tiny.safetensors");
        SafeTensors.write(weights, model.stateDict(), DType.F32);
        String[] common = {"--model", weights.toString(), "--heads", "4", "--method", "harmonica", "--steps", "4",
                "--batch", "2", "--lambda-every", "4", "--checkpoint-every", "4", "--seed", "5"};
        Path straight = dir.resolve("straight.safetensors");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(0, run(concat(common, "--iters", "10", "--out", straight.toString())));
        } finally {
            System.setErr(stderr);
        }
        // HarmoniCa's λ refreshes (at iterations 0, 4 and 8: C = N = 4) are announced and timed.
        String log = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        for (int it : new int[] {0, 4, 8}) {
            assertTrue(log.contains("train-router harmonica: IEPO lambda refresh at iteration " + it
                    + ": 4 gradient-free generations of 4 steps ..."), log);
        }
        assertEquals(3, log.split("IEPO lambda refresh: done in", -1).length - 1, log);
        Router r = RouterFile.load(straight);
        assertEquals(RouterMethod.HARMONICA, r.method());
        assertEquals("harmonica", r.provenance().get("trainer"));
        assertEquals("paper", r.provenance().get("proxy"));
        assertEquals("10", r.provenance().get("iterations"));
        assertEquals(1.5, r.cfg());
        assertTrue(Files.exists(dir.resolve("straight.safetensors.ckpt.safetensors")));

        Path split = dir.resolve("split.safetensors");
        assertEquals(0, run(concat(common, "--iters", "5", "--out", split.toString())));
        assertTrue(run(concat(common, "--iters", "10", "--out", split.toString())) != 0, "must refuse without --resume");
        assertEquals(0, run(concat(common, "--iters", "10", "--resume", "--out", split.toString())));
        assertArrayEquals(r.logits(), RouterFile.load(split).logits());
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void theSamplerDefaultFollowsTheModel() throws Exception {
        Path embedded = dir.resolve("embedded.safetensors");
        assertEquals(0, run("--model", "default", "--method", "harmonica", "--steps", "4", "--iters", "1", "--batch", "1",
                "--threads", "1", "--out", embedded.toString()));
        assertEquals("ddim+clip", RouterFile.load(embedded).sampler());
        Path plain = dir.resolve("plain.safetensors");
        assertEquals(0, run("--model", "default", "--method", "harmonica", "--steps", "4", "--iters", "1", "--batch", "1",
                "--threads", "1", "--sampler", "ddim", "--out", plain.toString()));
        assertEquals("ddim", RouterFile.load(plain).sampler());
    }
}
