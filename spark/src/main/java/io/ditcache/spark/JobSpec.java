package io.ditcache.spark;

import io.ditcache.SamplerSettings;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a job computes, sent to every task (a few strings and numbers, never weights): the model as
 * {@link io.ditcache.Models} names it (a path every node can read, a preset, or {@code default}), the sampler
 * settings, the cache methods, the seed and how the indices are cut into shards. Sample {@code i} of a job is a
 * function of these and {@code i} alone.
 *
 * @param model     the {@code --model} value
 * @param sampler   the sampler's name
 * @param steps     sampling steps
 * @param cfg       guidance scale
 * @param methods   the {@code --cache} / {@code --methods} specs ({@link io.ditcache.Cache#parseMethod})
 * @param threshold the router threshold, or NaN: each router file's
 * @param seed      the job's seed
 * @param n         samples (per method)
 * @param shardSize indices per shard
 * @param batch     samples per sampler batch, dividing {@code shardSize} ({@code sample}: the shard size)
 */
public record JobSpec(String model, String sampler, int steps, float cfg, java.util.List<String> methods,
                      double threshold, long seed, long n, int shardSize, int batch) implements Serializable {
    public JobSpec {
        methods = java.util.List.copyOf(methods);
    }

    /** The sampler settings, checked ({@link SamplerSettings}'s constructor). */
    public SamplerSettings settings() {
        return new SamplerSettings(sampler, steps, cfg);
    }

    /** The fields as JSON values (the manifest's {@code settings}; what a resumed run must match). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("sampler", sampler);
        m.put("steps", steps);
        m.put("cfg", Double.parseDouble(Float.toString(cfg))); // 1.3, not 1.2999999523
        m.put("methods", methods);
        m.put("threshold", Double.isNaN(threshold) ? null : threshold);
        m.put("seed", seed);
        m.put("n", n);
        m.put("shard_size", shardSize);
        m.put("batch", batch);
        return m;
    }
}
