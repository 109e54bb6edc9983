package io.ditcache.cli;

import static io.ditcache.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cli.CommandLineTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval} and {@code eval-merge} of a Fashion-MNIST model without the dataset's test set: refused before any
 * sampling, naming the file and {@code --no-fid}; with {@code --no-fid} the report has everything but the FID.
 */
class FidOptionTest {
    @TempDir
    Path dir;

    private String[] eval(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("eval", "--model", "default", "--steps", "4", "--n", "2",
                "--batch", "1", "--methods", "none,fora:2", "--threads", "1", "--data-dir", dir.resolve("empty").toString(),
                "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void evalWithoutTheTestSetIsRefusedBeforeSamplingUnlessToldToSkipTheFid() throws Exception {
        Path out = dir.resolve("ev");
        Result r = run(eval(out));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("the FID needs the Fashion-MNIST test set: " + dir.resolve("empty")
                .resolve("t10k-images-idx3-ubyte.gz")), r.err());
        assertTrue(r.err().contains("dataset-fashion-mnist") && r.err().contains("--no-fid"), r.err());
        assertFalse(r.err().contains("warm-up"), "refused before sampling: " + r.err());
        assertFalse(Files.exists(out), "nothing written");

        r = run(eval(out, "--no-fid"));
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("FID over the classifier's 128 features"), "no small-n FID warning: " + r.err());
        List<String> csv = Files.readAllLines(out.resolve("report.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        for (String row : csv.subList(1, csv.size())) {
            String[] f = row.split(",");
            assertEquals("NaN", f[header.indexOf("fid_classifier")], row);
            assertTrue(Double.parseDouble(f[header.indexOf("class_consistency")]) >= 0, row);
        }
    }

    @Test
    void mergeWithoutTheTestSetIsRefusedUnlessToldToSkipTheFid() throws Exception {
        Path parts = dir.resolve("parts");
        for (String part : new String[] {"0/2", "1/2"}) {
            Result r = run(eval(parts, "--shard", part));
            assertEquals(0, r.code(), r.err()); // a part needs no test set: the merge computes the FID
        }
        Result r;
        Path merged = dir.resolve("merged");
        r = run("eval-merge", "--data-dir", dir.resolve("empty").toString(), "--out", merged.toString(), parts.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--no-fid"), r.err());
        assertFalse(Files.exists(merged), "nothing written");
        r = run("eval-merge", "--no-fid", "--out", merged.toString(), parts.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(merged.resolve("report.csv")).contains("NaN"));
    }
}
