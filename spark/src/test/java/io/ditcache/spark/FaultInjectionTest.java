package io.ditcache.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.Cache;
import io.ditcache.Pipeline;
import io.ditcache.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.Success$;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that dies while writing its shard is retried; the output holds every index once, no temporary file, and the
 * bits of one process (sampled here on {@code spark.task.cpus} = 2 threads per task).
 */
class FaultInjectionTest {
    @TempDir
    Path tmp;

    @Test
    void aShardWhoseFirstAttemptFailsIsRetriedAndWrittenOnce() throws IOException {
        Path out = tmp.resolve("job");
        AtomicInteger failed = new AtomicInteger();
        // A failed task is tried once more; each task samples on 2 threads, one task at a time.
        JavaSparkContext sc = LocalSpark.start("local[2,2]", 2);
        System.setProperty(FaultInjection.PROPERTY, "5");
        try {
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    if (end.reason() != Success$.MODULE$) {
                        failed.incrementAndGet();
                    }
                }
            });
            assertEquals(0, DitcacheJob.run(args(out), () -> sc));
        } finally {
            System.clearProperty(FaultInjection.PROPERTY);
            sc.stop();
        }
        assertEquals(1, failed.get(), "the injected fault failed one attempt");
        Shards got = Shards.read(out); // lists every file in shards/, temporary ones included
        assertEquals(SampleJobTest.SHARDS, got.names());
        float[] labels = new float[SampleJobTest.N];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        assertArrayEquals(labels, got.labels(), "every index once, in order");
        assertEquals("2", SafeTensors.read(out.resolve("shards/samples-5-10.safetensors")).metadata().get("threads"),
                "the task sampled on spark.task.cpus threads");
        assertTrue(Files.readString(out.resolve(Manifest.FILE)).contains("\"threads\": \"2\""));
        assertArrayEquals(SampleJobTest.oneProcess(Pipeline.load("default").steps(4)
                .method(Cache.parseMethod("fora:2", Double.NaN))).images().data(), got.samples());
    }

    private static String[] args(Path out) {
        List<String> a = new java.util.ArrayList<>(List.of("sample"));
        a.addAll(List.of(SampleJobTest.JOB));
        a.addAll(List.of("--out", out.toString()));
        return a.toArray(new String[0]);
    }
}
