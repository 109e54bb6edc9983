package io.ditcache.cli;

import static io.ditcache.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.cli.CommandLineTest.Result;
import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --shard K/N} on sample and eval, and {@code eval-merge}: the parts reproduce the unsplit run. */
class ShardCommandTest {
    @TempDir
    Path dir;

    private static final String[] EVAL = {"eval", "--model", "default", "--steps", "4", "--n", "6", "--batch", "2",
            "--methods", "none,fora:2,fbcache:0.1", "--seed", "3", "--threads", "1"};

    private static String[] with(String[] base, String... more) {
        String[] a = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, a, base.length, more.length);
        return a;
    }

    /** The report.csv columns that do not depend on timing: method, steps, usage, MACs, PSNR, SSIM, FID, consistency. */
    private static List<String> untimed(Path csv) throws Exception {
        List<String> header = Arrays.asList(Files.readAllLines(csv).get(0).split(","));
        return Files.readAllLines(csv).stream().skip(1).map(line -> {
            String[] f = line.split(",");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < f.length; i++) {
                String h = header.get(i);
                if (!h.contains("wall") && !h.contains("speedup")) {
                    sb.append(h).append('=').append(rounded(f[i], h.contains("fid") ? 6 : 11)).append(' ');
                }
            }
            return sb.toString();
        }).toList();
    }

    /** A number to {@code digits} significant digits (sums over parts differ from the unsplit sum in the last bits). */
    private static String rounded(String field, int digits) {
        try {
            return String.format(java.util.Locale.ROOT, "%." + digits + "g", Double.parseDouble(field));
        } catch (NumberFormatException e) {
            return field;
        }
    }

    @Test
    void evalPartsMergeIntoTheUnsplitReport() throws Exception {
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        Result r = run(with(EVAL, "--out", whole.toString()));
        assertEquals(0, r.code(), r.err());
        for (int k = 0; k < 3; k++) {
            r = run(with(EVAL, "--out", parts.toString(), "--shard", k + "/3"));
            assertEquals(0, r.code(), r.err());
            assertTrue(Files.isRegularFile(parts.resolve("shard-" + k + "-of-3.json")));
        }
        assertFalse(Files.exists(parts.resolve("report.csv")), "a part writes no report");
        Path merged = dir.resolve("merged");
        r = run("eval-merge", "--out", merged.toString(), parts.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("merged") || Files.readString(merged.resolve("report.md")).contains("merged from 3 shards"));
        assertEquals(untimed(whole.resolve("report.csv")), untimed(merged.resolve("report.csv")));
        // Missing a part: refused, naming the range; nothing written.
        Files.delete(parts.resolve("shard-1-of-3.json"));
        Path none = dir.resolve("none");
        r = run("eval-merge", "--out", none.toString(), parts.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no shard covers [2, 4)"), r.err());
        assertFalse(Files.exists(none));
    }

    @Test
    void samplePartsAreTheRowsOfTheUnsplitRun() throws Exception {
        String[] base = {"sample", "--model", "default", "--steps", "4", "--n", "5", "--seed", "9", "--cache", "fora:2",
                "--threads", "1"};
        Path whole = dir.resolve("whole.safetensors");
        assertEquals(0, run(with(base, "--out", whole.toString())).code());
        float[] all = SafeTensors.read(whole).get("samples").data();
        float[] joined = new float[0];
        for (int k = 0; k < 2; k++) {
            Path p = dir.resolve("part-" + k + ".safetensors");
            Result r = run(with(base, "--out", p.toString(), "--shard", k + "/2"));
            assertEquals(0, r.code(), r.err());
            StateDict sd = SafeTensors.read(p);
            assertEquals(Long.toString(k == 0 ? 0 : 2), sd.metadata().get("first_index"));
            float[] d = sd.get("samples").data();
            float[] next = Arrays.copyOf(joined, joined.length + d.length);
            System.arraycopy(d, 0, next, joined.length, d.length);
            joined = next;
        }
        assertArrayEquals(all, joined);
    }
}
