package io.ditcache.spark;

import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** What a sample job's directory holds, read back for the tests. */
record Shards(List<String> names, float[] samples, float[] labels) {
    /** The shards of {@code out} in index order (their names say the ranges), their samples and labels concatenated. */
    static Shards read(Path out) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(out.resolve(ShardFiles.DIR))) {
            files = new ArrayList<>(s.toList());
        }
        files.sort((a, b) -> Long.compare(from(a), from(b)));
        List<String> names = new ArrayList<>();
        float[] samples = new float[0];
        float[] labels = new float[0];
        for (Path f : files) {
            names.add(f.getFileName().toString());
            StateDict sd = SafeTensors.read(f);
            samples = concat(samples, sd.get("samples").data());
            labels = concat(labels, sd.get("labels").data());
        }
        return new Shards(names, samples, labels);
    }

    /** The file names in {@code dir}, sorted. */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static long from(Path shard) {
        String[] parts = shard.getFileName().toString().split("[-.]");
        return parts.length > 1 && parts[1].matches("\\d+") ? Long.parseLong(parts[1]) : -1;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
