package io.ditcache.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.Method;
import io.ditcache.Pipeline;
import io.ditcache.cache.Fora;
import io.ditcache.cache.NoCache;
import io.ditcache.diffusion.GaussianNoise;
import io.ditcache.model.DiT;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {
    static final DiTConfig TINY = new DiTConfig("tiny-pixel", 2, 32, 4, 4, 1, 16, 3, false, 2);

    /** The setup of a pipeline over {@code model} with these sampler settings. */
    private static Evaluation.Setup setup(DiT model, String sampler, int steps, double cfg, long seed, int[] labels,
                                          Tensor noise, int batch) {
        Pipeline pipe = Pipeline.of(model).sampler(sampler, steps).guidance(cfg);
        return new Evaluation.Setup(pipe, seed, labels, noise, batch);
    }

    @Test
    void batchedRunsMatchOneBatchAndJudgingComparesWithTheBaseline(@TempDir Path dir) throws Exception {
        DiT model = DiT.random(TINY, 3);
        int[] labels = {0, 1, 2, 0, 1};
        Tensor noise = Tensor.zeros(5, 1, 16, 16);
        new GaussianNoise(9).fill(noise.data());
        Evaluation.Setup batched = setup(model, "ddim+clip", 6, 2, 0, labels, noise, 2);
        Evaluation.Setup whole = setup(model, "ddim+clip", 6, 2, 0, labels, noise, 5);
        Evaluation.Run base = Evaluation.run(batched, "none", Method.of(new NoCache()), null);
        Evaluation.Run one = Evaluation.run(whole, "none", Method.of(new NoCache()), null);
        org.junit.jupiter.api.Assertions.assertArrayEquals(one.samples().data(), base.samples().data(), 1e-5f,
                "samples do not depend on the batch split");
        Evaluation.Run fora = Evaluation.run(batched, "fora:2", Method.of(new Fora(2)), null);
        assertEquals(0.0, base.cacheUsageRatio());
        assertEquals(0.5, fora.cacheUsageRatio(), 1e-12, "fora:2 over 6 steps reuses every other step");
        MethodResult self = Evaluation.judge(base, base, labels, null, null);
        MethodResult r = Evaluation.judge(fora, base, labels, null, null);
        assertTrue(Double.isInfinite(self.psnr()), "the baseline against itself");
        assertTrue(Double.isFinite(r.psnr()) && r.ssim() < 1, "reuse changes the samples");
        assertTrue(r.macsRatio() < 0.75 && r.macsRatio() > 0.4, "half the units skipped: " + r.macsRatio());
        assertTrue(Double.isNaN(r.fid()) && Double.isNaN(r.consistency()), "no judge, no class metrics");

        EvalReport.write(dir, List.of(self, r), "# test", 7);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| fora:2 |") && md.contains("| none |"), md);
        List<String> csv = Files.readAllLines(dir.resolve("report.csv"));
        assertEquals(3, csv.size());
        assertEquals(java.util.OptionalLong.of(7), ReportCsv.read(dir.resolve("report.csv"), "t").sampleSeed(), csv.get(1));
        assertTrue(Files.size(dir.resolve("pareto.png")) > 1000);
    }

    @Test
    void classMetricsComeFromTheJudge() {
        DiT model = DiT.random(TINY, 4);
        int[] labels = {0, 1, 2, 2};
        Tensor noise = Tensor.zeros(4, 1, 16, 16);
        new GaussianNoise(1).fill(noise.data());
        Evaluation.Run base = Evaluation.run(setup(model, "ddim", 3, 1, 0, labels, noise, 4), "none",
                Method.of(new NoCache()), null);
        SampleJudge saysZero = new SampleJudge() {
            @Override
            public float[][] features(Tensor images) {
                float[][] f = new float[images.dim(0)][2];
                for (int i = 0; i < f.length; i++) {
                    f[i][0] = i;
                    f[i][1] = i * i;
                }
                return f;
            }

            @Override
            public int[] predict(Tensor images) {
                return new int[images.dim(0)];
            }
        };
        MethodResult r = Evaluation.judge(base, base, labels, saysZero, null);
        assertEquals(0.25, r.consistency(), 1e-12, "only the first sample is of class 0");
    }

    @Test
    void interleavedMethodsGiveWhatEachGivesAlone() {
        DiT model = DiT.random(TINY, 4);
        int[] labels = {2, 1, 0, 2, 1};
        Tensor noise = Tensor.zeros(5, 1, 16, 16);
        new GaussianNoise(11).fill(noise.data());
        Evaluation.Setup setup = setup(model, "ddim", 4, 1.5, 3, labels, noise, 2);
        double[] last = {0};
        List<Evaluation.Run> both = Evaluation.runInterleaved(setup, List.of("none", "fora:2"),
                List.of(Method.of(new NoCache()), Method.of(new Fora(2))), done -> {
                    assertTrue(done >= last[0], "progress goes forward");
                    last[0] = done;
                });
        assertEquals(10.0, last[0], 1e-9, "progress counts every method's samples");
        Evaluation.Run none = Evaluation.run(setup, "none", Method.of(new NoCache()), null);
        Evaluation.Run fora = Evaluation.run(setup, "fora:2", Method.of(new Fora(2)), null);
        for (Evaluation.Run[] pair : new Evaluation.Run[][] {{both.get(0), none}, {both.get(1), fora}}) {
            assertEquals(pair[1].method(), pair[0].method());
            org.junit.jupiter.api.Assertions.assertArrayEquals(pair[1].samples().data(), pair[0].samples().data(),
                    pair[0].method() + ": same samples bit for bit");
            assertEquals(pair[1].unitExecutions(), pair[0].unitExecutions());
            assertEquals(pair[1].reusedUnitExecutions(), pair[0].reusedUnitExecutions());
            assertEquals(pair[1].macs(), pair[0].macs());
        }
        assertTrue(both.get(1).reusedUnitExecutions() > 0);
    }

    @Test
    void fewerRunsItsStepsAgainstTheUncachedCostOfAllSteps() {
        DiT model = DiT.random(TINY, 4);
        int[] labels = {2, 1, 0};
        Tensor noise = Tensor.zeros(3, 1, 16, 16);
        new GaussianNoise(12).fill(noise.data());
        Evaluation.Run fewer = Evaluation.run(setup(model, "ddim", 4, 1.5, 3, labels, noise, 2),
                "fewer:3", new Method(new NoCache(), 3), null);
        Evaluation.Run three = Evaluation.run(setup(model, "ddim", 3, 1.5, 3, labels, noise, 2),
                "none", Method.of(new NoCache()), null);
        assertEquals(3, fewer.steps());
        org.junit.jupiter.api.Assertions.assertArrayEquals(three.samples().data(), fewer.samples().data(), "3 steps");
        assertEquals(three.macs(), fewer.macs());
        assertEquals(4 * three.macs() / 3, fewer.macsUncached(), "the uncached cost is of 4 steps");
    }
}
