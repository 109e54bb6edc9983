package io.ditcache.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.Cache;
import io.ditcache.Pipeline;
import io.ditcache.Samples;
import io.ditcache.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sample} in {@code local[2]}: the same bits as one process, the directory's layout, resuming, bad input. */
class SampleJobTest {
    /** 12 = 5 + 5 + 2: the last shard shorter, and small enough (4 rows with guidance) for the core's skinny GEMM. */
    static final int N = 12;
    static final String[] JOB = {"--model", "default", "--steps", "4", "--cache", "fora:2", "--seed", "7", "--n",
            Integer.toString(N), "--shard-size", "5"};
    static final List<String> SHARDS = List.of("samples-0-5.safetensors", "samples-5-10.safetensors",
            "samples-10-12.safetensors");

    static JavaSparkContext sc;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        sc = LocalSpark.start("local[2]");
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    static int run(Path out, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "sample";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--out";
        all[args.length + 2] = out.toString();
        return DitcacheJob.run(all, () -> sc);
    }

    @Test
    void shardedSamplesEqualOneProcessRunOfAllIndicesBitForBit() throws IOException {
        Path out = tmp.resolve("job");
        assertEquals(0, run(out, JOB));
        Shards shards = Shards.read(out);
        assertEquals(SHARDS, shards.names());
        Samples one = oneProcess(Pipeline.load("default").steps(4).method(Cache.parseMethod("fora:2", Double.NaN)));
        assertArrayEquals(one.images().data(), shards.samples());
        float[] y = new float[N];
        for (int i = 0; i < N; i++) {
            y[i] = i % 10;
        }
        assertArrayEquals(y, shards.labels());

        @SuppressWarnings("unchecked")
        Map<String, Object> manifest = (Map<String, Object>) Json.parse(Files.readString(out.resolve(Manifest.FILE)));
        assertEquals(Manifest.SAMPLES, manifest.get("format"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> listed = (List<Map<String, Object>>) manifest.get("shards");
        assertEquals(List.of("shards/samples-0-5.safetensors", "shards/samples-5-10.safetensors",
                "shards/samples-10-12.safetensors"), listed.stream().map(s -> s.get("file")).toList());
        assertEquals(List.of(0L, 5L, 10L), listed.stream().map(s -> s.get("from")).toList());
        assertEquals(List.of(5L, 10L, 12L), listed.stream().map(s -> s.get("to")).toList());
        assertEquals(Files.size(out.resolve("shards/samples-10-12.safetensors")), listed.get(2).get("bytes"));
    }

    @Test
    void aStochasticSamplerDrawsPerIndexToo() throws IOException {
        Path out = tmp.resolve("ddpm");
        assertEquals(0, run(out, "--model", "default", "--steps", "4", "--sampler", "ddpm+clip", "--seed", "7", "--n",
                Integer.toString(N), "--shard-size", "5"));
        Samples one = oneProcess(Pipeline.load("default").sampler("ddpm+clip", 4));
        assertArrayEquals(one.images().data(), Shards.read(out).samples());
    }

    /** Indices 0 .. N-1 with their default labels, seed 7, in one batch of one process. */
    static Samples oneProcess(Pipeline pipe) {
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = Pipeline.defaultLabel(pipe.model().config(), i);
        }
        return pipe.sample(labels, 7);
    }

    @Test
    void reRunWithTheSameSettingsResumesOnlyTheMissingShards() throws IOException {
        Path out = tmp.resolve("job");
        assertEquals(0, run(out, JOB));
        Map<String, byte[]> before = contents(out);
        Path kept = out.resolve("shards/samples-0-5.safetensors");
        long keptModified = Files.getLastModifiedTime(kept).toMillis();
        Files.delete(out.resolve("shards/samples-5-10.safetensors"));
        Files.delete(out.resolve(Manifest.FILE));
        Files.write(out.resolve("shards/.samples-5-10.safetensors.123.456.tmp"), new byte[] {1, 2, 3}); // a dead writer's

        assertEquals(0, run(out, JOB));
        Map<String, byte[]> after = contents(out);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
        assertEquals(keptModified, Files.getLastModifiedTime(kept).toMillis(), "a complete shard is not recomputed");
    }

    @Test
    void reRunWithOtherSettingsIsRefusedAndChangesNothing() throws IOException {
        Path out = tmp.resolve("job");
        assertEquals(0, run(out, JOB));
        Map<String, byte[]> before = contents(out);
        String[] otherSeed = JOB.clone();
        otherSeed[7] = "8";
        String err = stderrOf(() -> assertEquals(2, run(out, otherSeed)));
        assertTrue(err.contains("holds a job of other settings"), err);
        String[] evalThere = {"eval", "--model", "default", "--steps", "4", "--methods", "none", "--seed", "7", "--n",
                Integer.toString(N), "--shard-size", "5", "--batch", "5", "--out", out.toString()};
        err = stderrOf(() -> assertEquals(2, DitcacheJob.run(evalThere, () -> sc)));
        assertTrue(err.contains("holds a job of other settings"), err);
        Map<String, byte[]> after = contents(out);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
    }

    @Test
    void badInputExitsWithStatus2NamingTheFlagBeforeAnyTask() throws IOException {
        Path out = tmp.resolve("job");
        assertTrue(stderrOf(() -> assertEquals(2, run(out, "--n", "0"))).contains("--n must be >= 1"));
        assertTrue(stderrOf(() -> assertEquals(2, run(out, "--n", "4", "--model", tmp.resolve("no.pt").toString())))
                .contains("--model"));
        assertTrue(stderrOf(() -> assertEquals(2, run(out, "--n", "4", "--cache", "fora:x"))).contains("--cache"));
        assertTrue(stderrOf(() -> assertEquals(2, run(out, "--n", "4", "--steps", "0"))).contains("--steps"));
        assertTrue(stderrOf(() -> assertEquals(2, run(out, "--n", "4", "--shard-size", "0"))).contains("--shard-size"));
        assertTrue(stderrOf(() -> assertEquals(2, run(out, "--n", "4", "--sampler", "euler"))).contains("--sampler"));
        assertFalse(Files.exists(out), "nothing written for a refused job");

        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertTrue(stderrOf(() -> assertEquals(2, run(out, JOB))).contains("not a ditcache-spark job directory"));
        assertEquals(List.of("notes.txt"), List.copyOf(contents(out).keySet()));
        assertNotEquals(0, DitcacheJob.run(new String[0], () -> sc));
    }

    /** Every file under {@code dir} (relative name to bytes). */
    static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    /** What {@code body} printed on stderr. */
    static String stderrOf(Runnable body) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
