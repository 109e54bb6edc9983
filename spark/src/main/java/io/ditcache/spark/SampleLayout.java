package io.ditcache.spark;

import io.ditcache.io.SafeTensors;
import io.ditcache.tensor.StateDict;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code sample}'s shards: consecutive ranges of {@code --shard-size} indices, each sampled as one batch and written
 * as {@code samples-FROM-TO.safetensors} (what {@code ditcache sample --out FILE.safetensors} writes).
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
        int m = ranges().get(k).size();
        StateDict sd = SafeTensors.read(file);
        if (!sd.contains("samples") || !sd.contains("labels") || sd.get("samples").dim(0) != m
                || sd.get("labels").numel() != m) {
            throw new IllegalStateException(file + ": not the " + m + " samples of indices " + ranges().get(k)
                    + " (samples and labels tensors expected)");
        }
    }
}
