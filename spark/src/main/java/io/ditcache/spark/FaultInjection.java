package io.ditcache.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.TaskContext;

/**
 * A crash while a task writes its shard, for the tests: with the system property {@value #PROPERTY} set to the
 * shard's first index, the first attempt of that shard's task leaves a partial temporary file next to the shard (as
 * a writer killed mid-file would) and fails. Without the property nothing happens.
 */
final class FaultInjection {
    static final String PROPERTY = "ditcache.spark.test.failOnce";

    private FaultInjection() {
    }

    /** Fails here when this is the first attempt of the shard of {@code range} that {@value #PROPERTY} names. */
    static void beforeWriting(Path shard, IndexRange range) throws IOException {
        TaskContext task = TaskContext.get();
        if (task == null || task.attemptNumber() > 0
                || !Long.toString(range.from()).equals(System.getProperty(PROPERTY))) {
            return;
        }
        Files.createDirectories(shard.getParent());
        Files.write(shard.resolveSibling("." + shard.getFileName() + "." + ProcessHandle.current().pid() + ".fault.tmp"),
                new byte[] {42, 0, 0, 0});
        throw new IllegalStateException("injected fault: first attempt of the shard of " + range);
    }
}
