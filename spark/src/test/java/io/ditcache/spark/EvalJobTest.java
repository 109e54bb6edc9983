package io.ditcache.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cli.Main;
import io.ditcache.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval} in {@code local[2]}, resumed once: the merged report equals a single-machine {@code ditcache eval}'s. */
class EvalJobTest {
    static final String[] JOB = {"--model", "default", "--steps", "4", "--methods", "none,fora:2", "--n", "12",
            "--batch", "4", "--seed", "7"};

    @TempDir
    Path tmp;

    @Test
    void mergedShardsReportWhatOneProcessReportsToFloatRounding() throws IOException {
        Path spark = tmp.resolve("spark");
        Path one = tmp.resolve("one");
        JavaSparkContext sc = LocalSpark.start("local[2]");
        try {
            assertEquals(0, DitcacheJob.run(args("eval", spark), () -> sc));
            // A re-run resumes: the shards there are checked and kept, the missing one computed again.
            Files.delete(spark.resolve("shards/eval-4-8.json"));
            Files.delete(spark.resolve(Manifest.FILE));
            assertEquals(0, DitcacheJob.run(args("eval", spark), () -> sc));
        } finally {
            sc.stop();
        }
        assertEquals(0, Main.commandLine().execute(args("eval", one)));

        assertEquals(List.of("eval-0-4.json", "eval-4-8.json", "eval-8-12.json"),
                Shards.names(spark.resolve(ShardFiles.DIR)));
        assertTrue(Files.isRegularFile(spark.resolve(Manifest.FILE)));
        List<String[]> got = csv(spark.resolve("report.csv"));
        List<String[]> want = csv(one.resolve("report.csv"));
        assertEquals(want.size(), got.size());
        assertEquals(List.of("method", "steps", "cache_usage_ratio", "macs", "macs_ratio", "wall_ms", "speedup", "psnr",
                "ssim", "fid_classifier", "class_consistency"), List.of(want.get(0)).subList(0, 11));
        for (int row = 1; row < want.size(); row++) {
            String[] w = want.get(row);
            String[] g = got.get(row);
            for (int col : new int[] {0, 1, 2, 3, 4}) {
                assertEquals(w[col], g[col], w[0] + " " + want.get(0)[col]);
            }
            for (int col : new int[] {7, 8, 9, 10}) { // psnr, ssim, fid_classifier, class_consistency
                double a = Double.parseDouble(w[col]);
                double b = Double.parseDouble(g[col]);
                assertEquals(a, b, 1e-9 * Math.max(1, Math.abs(a)), w[0] + " " + want.get(0)[col]);
            }
        }
        if (Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
            assertTrue(Double.isFinite(Double.parseDouble(got.get(2)[9])), "an FID was merged and compared");
        }
    }

    private static String[] args(String command, Path out) {
        List<String> a = new java.util.ArrayList<>(List.of(command));
        a.addAll(List.of(JOB));
        a.addAll(List.of("--out", out.toString()));
        return a.toArray(new String[0]);
    }

    private static List<String[]> csv(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(l -> l.split(",")).toList();
    }
}
