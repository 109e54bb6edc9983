package io.ditcache.spark;

import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code sample}'s shards: consecutive ranges of {@code --shard-size} indices, each sampled as one batch and written
 * as {@code samples-FROM-TO.safetensors} (what {@code ditcache sample --out FILE.safetensors} writes, its metadata
 * {@code first_index} = FROM).
 */
record SampleLayout(JobSpec spec) implements ShardLayout {
    @Override
    public String kind() {
        return "samples";
    }

    @Override
    public String extension() {
        return ".safetensors";
    }

    @Override
    public void check(Path file, int k) throws IOException {
        IndexRange r = ranges().get(k);
        StateDict sd = SafeTensors.read(file);
        boolean shapes = sd.contains("samples") && sd.contains("labels") && sd.get("samples").dim(0) == r.size()
                && sd.get("labels").numel() == r.size();
        if (!shapes || !Long.toString(r.from()).equals(sd.metadata().get("first_index"))) {
            throw new IllegalStateException(file + ": not the " + r.size() + " samples of indices " + r
                    + " (samples and labels tensors, metadata first_index " + r.from() + " expected)");
        }
    }
}
