package io.ditcache.spark;

import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shard files of a sample job's output directory: {@code DIR/shards/samples-FROM-TO.safetensors}, one per index
 * range, each written atomically (a temporary {@code .NAME.*.tmp} in the same directory renamed over it,
 * {@link io.ditcache.io.AtomicFiles}), so a shard that exists is complete.
 */
final class ShardFiles {
    static final String DIR = "shards";

    private ShardFiles() {
    }

    static String name(IndexRange r) {
        return "samples-" + r.from() + "-" + r.to() + ".safetensors";
    }

    static Path dir(Path out) {
        return out.resolve(DIR);
    }

    static Path file(Path out, IndexRange r) {
        return dir(out).resolve(name(r));
    }

    /** Whether {@code name} is a temporary file a writer (or a task that died while writing) left in the directory. */
    static boolean isTemporary(String name) {
        return name.startsWith(".") && name.endsWith(".tmp");
    }

    /** The shard files and temporary files in {@code DIR/shards} (none where it does not exist), by name. */
    static List<Path> list(Path out) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir(out))) {
            return files;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir(out))) {
            s.forEach(files::add);
        }
        files.sort(null);
        return files;
    }

    /** Deletes the temporary files of writers that are gone (call only while no task of the job runs). */
    static int deleteTemporaries(Path out) throws IOException {
        int deleted = 0;
        for (Path p : list(out)) {
            if (isTemporary(p.getFileName().toString()) && Files.deleteIfExists(p)) {
                deleted++;
            }
        }
        return deleted;
    }

    /** Reads the shard of {@code r}, refusing one that does not hold the range's samples and labels. */
    static StateDict read(Path out, IndexRange r) throws IOException {
        Path file = file(out, r);
        StateDict sd = SafeTensors.read(file);
        if (!sd.contains("samples") || !sd.contains("labels") || sd.get("samples").dim(0) != r.size()
                || sd.get("labels").numel() != r.size()) {
            throw new IllegalStateException(file + ": not the " + r.size() + " samples of indices " + r
                    + " (samples and labels tensors expected)");
        }
        return sd;
    }
}
