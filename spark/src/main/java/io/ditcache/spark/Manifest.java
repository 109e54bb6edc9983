package io.ditcache.spark;

import io.ditcache.Provenance;
import io.ditcache.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code DIR/manifest.json}, written by the driver last and atomically, once every shard is in place: the settings
 * ({@link JobSpec#toJson}), the provenance of the library that ran ({@link Provenance}) and one entry per shard
 * (its file, index range and size), in index order. A directory without it holds an unfinished job.
 */
final class Manifest {
    static final String FILE = "manifest.json";
    /** The {@code format} of a sample job's manifest. */
    static final String SAMPLES = "ditcache-spark samples 1";
    /** The {@code format} of an eval job's manifest. */
    static final String EVAL = "ditcache-spark eval 1";

    private Manifest() {
    }

    /** Writes the manifest of {@code layout}'s shards in {@code out} (each must exist); {@code format} names the job. */
    static Path write(Path out, String format, ShardLayout layout, Provenance provenance) throws IOException {
        List<Object> shards = new ArrayList<>();
        List<IndexRange> ranges = layout.ranges();
        for (int k = 0; k < ranges.size(); k++) {
            IndexRange r = ranges.get(k);
            Path file = ShardFiles.dir(out).resolve(layout.name(k));
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(file + ": missing after the job; the manifest is not written");
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("file", ShardFiles.DIR + "/" + layout.name(k));
            s.put("from", r.from());
            s.put("to", r.to());
            s.put("bytes", Files.size(file));
            shards.add(s);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("settings", layout.spec().toJson());
        m.put("provenance", new LinkedHashMap<>(provenance.toMap()));
        m.put("shards", shards);
        Path file = out.resolve(FILE);
        Json.write(file, m);
        return file;
    }
}
