package io.ditcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cache.CacheStats;
import io.ditcache.diffusion.SampleListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Serving: four requests (two step counts, two cache policies, four seeds) on one shared pipeline, run at once,
 * give the bits and the statistics they give one after another. Each concurrent request waits for the other three
 * after its second step, so all four are mid-trajectory, their caches filled, at the same time.
 */
class PipelineServingTest {
    /** One request: its step count, whether it caches (the shipped HarmoniCa routers) or not, its seed. */
    private record Request(int steps, boolean harmonica, long seed) {
    }

    private static final List<Request> REQUESTS = List.of(new Request(10, false, 1), new Request(20, true, 2),
            new Request(10, true, 3), new Request(20, false, 4));
    private static final int[] LABELS = {3, 8};

    @Test
    void fourConcurrentRequestsOnOnePipelineEqualTheSameRequestsOneAfterAnother() throws Exception {
        Pipeline shared = Pipeline.load("default");
        Pipeline harmonica = shared.cache(Cache.router("harmonica"));
        List<Samples> sequential = new ArrayList<>();
        for (Request r : REQUESTS) {
            sequential.add(run(shared, harmonica, r, SampleListener.NONE));
        }

        CyclicBarrier together = new CyclicBarrier(REQUESTS.size());
        SampleListener meet = (stepIndex, stepsDone, totalSteps) -> {
            if (stepsDone == 2) {
                try {
                    together.await(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the four requests did not overlap", e);
                }
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(REQUESTS.size());
        try {
            List<Future<Samples>> concurrent = new ArrayList<>();
            for (Request r : REQUESTS) {
                concurrent.add(pool.submit(() -> run(shared, harmonica, r, meet)));
            }
            for (int i = 0; i < REQUESTS.size(); i++) {
                Samples alone = sequential.get(i);
                Samples concurrently = concurrent.get(i).get(120, TimeUnit.SECONDS);
                String what = REQUESTS.get(i).toString();
                assertArrayEquals(alone.images().data(), concurrently.images().data(), 0f, what);
                assertSameStats(alone.stats(), concurrently.stats(), what);
            }
        } finally {
            pool.shutdownNow();
        }
        // The harmonica requests really cached (else "nothing of one cache seen by another" would be empty).
        assertTrue(sequential.get(1).stats().cacheUsageRatio() > 0, sequential.get(1).stats().summary());
        assertTrue(sequential.get(2).stats().cacheUsageRatio() > 0, sequential.get(2).stats().summary());
        assertEquals(0, sequential.get(0).stats().cacheUsageRatio());
    }

    @Test
    void eachPipelineSamplesOnItsOwnThreadCountWhileOthersRunAndTheBitsDoNotDependOnIt() throws Exception {
        Pipeline shared = Pipeline.load("default").steps(10).cache(Cache.router("harmonica"));
        int processWide = io.ditcache.tensor.Parallel.threads();
        Samples reference = shared.sample(LABELS, 7);
        int[] counts = {1, 3};
        CyclicBarrier together = new CyclicBarrier(counts.length);
        ExecutorService pool = Executors.newFixedThreadPool(counts.length);
        try {
            List<Future<Samples>> runs = new ArrayList<>();
            for (int n : counts) {
                Pipeline pipe = shared.threads(n);
                assertEquals(n, pipe.threads());
                runs.add(pool.submit(() -> pipe.sample(LABELS, 7, (stepIndex, stepsDone, totalSteps) -> {
                    assertEquals(n, io.ditcache.tensor.Parallel.threadsHere(), "regions of this request");
                    if (stepsDone == 2) {
                        try {
                            together.await(60, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException("the two requests did not overlap", e);
                        }
                    }
                })));
            }
            for (Future<Samples> f : runs) {
                assertArrayEquals(reference.images().data(), f.get(120, TimeUnit.SECONDS).images().data(), 0f);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(processWide, io.ditcache.tensor.Parallel.threads(), "the process-wide count is untouched");
        assertEquals(processWide, shared.threads());
        assertThrows(InvalidSettingException.class, () -> shared.threads(0));
    }

    private static Samples run(Pipeline shared, Pipeline harmonica, Request r, SampleListener listener) {
        Pipeline pipe = r.harmonica() ? harmonica : shared;
        return pipe.steps(r.steps()).sample(LABELS, r.seed(), listener);
    }

    private static void assertSameStats(CacheStats alone, CacheStats together, String what) {
        assertEquals(alone.policy(), together.policy(), what);
        assertEquals(alone.unitExecutions(), together.unitExecutions(), what);
        assertEquals(alone.reusedUnitExecutions(), together.reusedUnitExecutions(), what);
        assertEquals(alone.macs(), together.macs(), what);
        assertEquals(alone.peakCacheBytes(), together.peakCacheBytes(), what);
        assertEquals(alone.planMap(), together.planMap(), what);
    }
}
