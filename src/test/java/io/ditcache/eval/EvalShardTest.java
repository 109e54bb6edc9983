package io.ditcache.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.Cache;
import io.ditcache.Method;
import io.ditcache.Pipeline;
import io.ditcache.Shard;
import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A split evaluation: shards over whole batches give each method the unsplit run's samples bit for bit, and their
 * merged statistics the unsplit run's results to float rounding.
 */
class EvalShardTest {
    private static final int N = 8;
    private static final int BATCH = 2;
    private static final List<String> NAMES = List.of("none", "fora:2", "fbcache:0.1", "router:harmonica");
    private static Pipeline pipe;
    private static SampleJudge judge;
    private static FeatureStatistics reference;
    private static List<Method> methods;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        pipe = Pipeline.load("default").sampler("ddim+clip", 10);
        judge = Judges.shippedClassifier();
        methods = new ArrayList<>();
        for (String n : NAMES) {
            methods.add(Cache.parseMethod(n, Double.NaN));
        }
        // An independent reference: classifier features of plain noise images.
        Tensor noise = Tensor.zeros(40, 1, 32, 32);
        new GaussianNoise(99).fill(noise.data());
        reference = FeatureStatistics.of(judge.features(noise));
    }

    private static java.util.Map<String, Object> job() {
        return EvalShard.job("embedded", pipe.settings(), 5, N, NAMES, true);
    }

    /** The runs of part {@code part} and their shard. */
    private static Object[] runPart(Shard part) {
        DiTConfig c = pipe.model().config();
        long from = part.from(N, BATCH);
        int m = Math.toIntExact(part.to(N, BATCH) - from);
        int[] labels = new int[m];
        for (int i = 0; i < m; i++) {
            labels[i] = Pipeline.defaultLabel(c, from + i);
        }
        Evaluation.Setup setup = new Evaluation.Setup(pipe, 5, labels, Pipeline.noise(c, from, m, 5), BATCH, from);
        List<Evaluation.Run> runs = Evaluation.runInterleaved(setup, NAMES, methods, null);
        return new Object[] {runs, EvalShard.of(job(), from, from + m, runs, labels, judge)};
    }

    @SuppressWarnings("unchecked")
    @Test
    void shardsGiveTheWholeRunsSamplesAndMergeIntoItsResults() throws Exception {
        Object[] whole = runPart(Shard.ALL);
        List<Evaluation.Run> wholeRuns = (List<Evaluation.Run>) whole[0];
        EvalShard wholeShard = (EvalShard) whole[1];
        List<EvalShard> parts = new ArrayList<>();
        List<List<Evaluation.Run>> partRuns = new ArrayList<>();
        for (int k = 2; k >= 0; k--) { // out of order: merge sorts by range
            Object[] p = runPart(new Shard(k, 3));
            partRuns.add(0, (List<Evaluation.Run>) p[0]);
            // Through the file format, as shards travel between machines.
            Path f = dir.resolve("shard-" + k + "-of-3.json");
            ((EvalShard) p[1]).write(f);
            parts.add(EvalShard.read(f));
            assertEquals(((EvalShard) p[1]).toJson().get("methods"), parts.get(parts.size() - 1).toJson().get("methods"),
                    "a shard file reads back to the same numbers");
        }
        for (int i = 0; i < NAMES.size(); i++) {
            float[] joined = new float[0];
            for (List<Evaluation.Run> runs : partRuns) {
                float[] d = runs.get(i).samples().data();
                float[] next = Arrays.copyOf(joined, joined.length + d.length);
                System.arraycopy(d, 0, next, joined.length, d.length);
                joined = next;
            }
            assertArrayEquals(wholeRuns.get(i).samples().data(), joined, NAMES.get(i) + ": split samples are the whole run's");
        }
        EvalShard merged = EvalShard.merge(parts);
        assertTrue(merged.complete());
        List<MethodResult> a = wholeShard.results(reference);
        List<MethodResult> b = merged.results(reference);
        for (int i = 0; i < a.size(); i++) {
            MethodResult x = a.get(i);
            MethodResult y = b.get(i);
            String m = x.method();
            assertEquals(x.macs(), y.macs(), m);
            assertEquals(x.cacheUsageRatio(), y.cacheUsageRatio(), 0, m);
            assertEquals(x.consistency(), y.consistency(), 0, m);
            assertEquals(x.psnr(), y.psnr(), 1e-9, m);
            assertEquals(x.ssim(), y.ssim(), 1e-12, m);
            assertEquals(x.fid(), y.fid(), 1e-6 * Math.abs(x.fid()), m);
            assertTrue(Double.isFinite(x.fid()), m);
        }
        // The unsplit statistics are what Evaluation.judge reports, bit for bit.
        MethodResult judged = Evaluation.judge(wholeRuns.get(1), wholeRuns.get(0), labelsOf(N), judge, reference);
        assertEquals(judged.psnr(), a.get(1).psnr(), 0);
        assertEquals(judged.fid(), a.get(1).fid(), 0);
        assertEquals(judged.ssim(), a.get(1).ssim(), 0);
    }

    private static int[] labelsOf(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = Pipeline.defaultLabel(pipe.model().config(), i);
        }
        return y;
    }

    @Test
    void mergeRefusesGapsOverlapsAndOtherJobs() {
        MethodStatistics s = new MethodStatistics("none", 10, 2, 4, 0, 100, 100, 1.0, 0, 0, 8, 2, -1, null);
        EvalShard a = new EvalShard(job(), 0, 2, List.of(s));
        EvalShard c = new EvalShard(job(), 4, 6, List.of(s));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EvalShard.merge(List.of(a, c))).getMessage()
                .contains("no shard covers [2, 4)"));
        EvalShard overlap = new EvalShard(job(), 1, 3, List.of(s));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EvalShard.merge(List.of(a, overlap))).getMessage()
                .contains("overlap"));
        EvalShard other = new EvalShard(EvalShard.job("embedded", pipe.settings(), 6, N, NAMES, true), 2, 4, List.of(s));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EvalShard.merge(List.of(a, other))).getMessage()
                .contains("another job"));
        assertTrue(!EvalShard.merge(List.of(a)).complete());
    }

    @Test
    void aDamagedShardFileIsRefusedNamingTheFileAndKey() throws Exception {
        Path f = dir.resolve("shard-0-of-1.json");
        Files.writeString(f, "{\"format\": \"ditcache-eval-shard-1\", \"job\": {}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalShard.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("job: missing key"), e.getMessage());
        Files.writeString(f, "{\"format\": \"something-else\"}");
        e = assertThrows(IllegalArgumentException.class, () -> EvalShard.read(f));
        assertTrue(e.getMessage().contains("format"), e.getMessage());
        Files.writeString(f, "{not json");
        e = assertThrows(IllegalArgumentException.class, () -> EvalShard.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }
}
