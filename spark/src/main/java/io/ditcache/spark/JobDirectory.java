package io.ditcache.spark;

import io.ditcache.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job's output directory, on storage every node can write (a shared file system): {@code job.json} (the command and
 * its settings, written first), the shards ({@link ShardLayout}, {@link ShardFiles}) and {@code manifest.json} (written
 * last, {@link Manifest}).
 * <p>
 * A re-run over an existing directory <b>resumes</b>: with the same settings it keeps every shard that is there (a
 * shard that exists is complete, being renamed into place whole) and computes only the missing ones; with other
 * settings, or over a directory that is not a job's, it refuses and changes nothing.
 */
final class JobDirectory {
    static final String JOB_FILE = "job.json";

    private JobDirectory() {
    }

    /**
     * Checks {@code out} for the job of {@code layout} and returns the shards (their numbers in it) still to
     * compute: all of them for a new or empty directory (whose {@code job.json} is then written), the missing ones
     * when resuming. Temporary files of earlier runs' dead writers are deleted.
     *
     * @throws IllegalArgumentException where {@code out} holds something else (nothing is changed then)
     */
    static List<Integer> prepare(Path out, ShardLayout layout) throws IOException {
        Map<String, Object> asked = new LinkedHashMap<>();
        asked.put("job", layout.kind());
        asked.putAll(layout.spec().toJson());
        Path job = out.resolve(JOB_FILE);
        String settings = Json.compact(asked);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a directory");
        }
        if (!Files.exists(job)) {
            if (Files.isDirectory(out) && !isEmpty(out)) {
                throw new IllegalArgumentException("--out " + out + " is not empty and holds no " + JOB_FILE
                        + ": not a ditcache-spark job directory; use a new or empty directory");
            }
            Json.write(job, asked);
            return missing(out, layout);
        }
        String before;
        try {
            before = Json.compact(Json.parse(Files.readString(job, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(job + ": " + e.getMessage(), e);
        }
        if (!before.equals(settings)) {
            throw new IllegalArgumentException("--out " + out + " holds a job of other settings, which a re-run can only"
                    + " resume with the same ones:\n  there: " + before + "\n  asked: " + settings
                    + "\nuse another --out, or the settings of " + job);
        }
        return missing(out, layout);
    }

    /** The shards not there, after checking that every shard there is one of the layout's and complete. */
    private static List<Integer> missing(Path out, ShardLayout layout) throws IOException {
        int count = layout.ranges().size();
        Set<String> planned = new HashSet<>();
        for (int k = 0; k < count; k++) {
            planned.add(layout.name(k));
        }
        for (Path p : ShardFiles.list(out)) {
            String name = p.getFileName().toString();
            if (!ShardFiles.isTemporary(name) && !planned.contains(name)) {
                throw new IllegalArgumentException(p + ": a file that is no shard of this job's plan; remove it to resume");
            }
        }
        ShardFiles.deleteTemporaries(out);
        List<Integer> todo = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            Path file = ShardFiles.dir(out).resolve(layout.name(k));
            if (Files.exists(file)) {
                layout.check(file, k);
            } else {
                todo.add(k);
            }
        }
        return todo;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
