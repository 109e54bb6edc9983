package io.ditcache.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shard directory of a job, {@code DIR/shards}: one file per index range ({@link ShardLayout}), each written to a
 * temporary {@code .NAME.*.tmp} in the same directory and renamed over its name ({@link io.ditcache.io.AtomicFiles}).
 */
final class ShardFiles {
    static final String DIR = "shards";

    private ShardFiles() {
    }

    static Path dir(Path out) {
        return out.resolve(DIR);
    }

    /** Whether {@code name} is a temporary file a writer (or a task that died while writing) left in the directory. */
    static boolean isTemporary(String name) {
        return name.startsWith(".") && name.endsWith(".tmp");
    }

    /** The files in {@code DIR/shards}, temporary ones included (none where it does not exist), by name. */
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

    /** Writes a shard's file (atomically: {@link io.ditcache.io.AtomicFiles}). */
    interface Writer {
        void writeTo(Path file) throws IOException;
    }

    /** Writes shard {@code file} of {@code range} with {@code writer}, past the fault-injection tests' hook. */
    static void write(Path file, IndexRange range, Writer writer) {
        try {
            FaultInjection.beforeWriting(file, range);
            writer.writeTo(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the temporary files of writers that are gone (call only while no task of the job runs). */
    static void deleteTemporaries(Path out) throws IOException {
        for (Path p : list(out)) {
            if (isTemporary(p.getFileName().toString())) {
                Files.deleteIfExists(p);
            }
        }
    }
}
