package io.ditcache;

import io.ditcache.cache.CacheStats;
import io.ditcache.eval.ImageGrid;
import io.ditcache.io.DType;
import io.ditcache.io.SafeTensors;
import io.ditcache.model.DiTConfig;
import io.ditcache.tensor.StateDict;
import io.ditcache.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a {@link Pipeline} drew: the samples [n, C, H, W] (pixels or latents in about [-1, 1]), the labels and seed
 * they came from, and what caching did ({@link #stats()}: reuse, MACs, wall time; {@code summary()} says it in a
 * line). Writers are atomic: a temporary file renamed over the target.
 */
public final class Samples {
    /** Images per row of {@link #writePng} grids, and their scale. */
    static final int GRID_COLUMNS = 10;
    static final int GRID_SCALE = 2;

    private final Tensor images;
    private final int[] labels;
    private final long seed;
    private final long firstIndex;
    private final DiTConfig config;
    private final SamplerSettings settings;
    private final CacheStats stats;
    private final Tensor uncached;
    private final Tensor decoded;
    private final Provenance provenance;

    Samples(Tensor images, int[] labels, long seed, long firstIndex, DiTConfig config, SamplerSettings settings,
            CacheStats stats, Tensor uncached, Tensor decoded, Provenance provenance) {
        this.images = images;
        this.labels = labels;
        this.seed = seed;
        this.firstIndex = firstIndex;
        this.config = config;
        this.settings = settings;
        this.stats = stats;
        this.uncached = uncached;
        this.decoded = decoded;
        this.provenance = provenance;
    }

    /** The samples x0 [n, C, H, W]. */
    public Tensor images() {
        return images;
    }

    public int[] labels() {
        return labels.clone();
    }

    public long seed() {
        return seed;
    }

    /** The job index of the first sample (row r is sample {@code firstIndex + r}: {@link Pipeline}'s seed rule). */
    public long firstIndex() {
        return firstIndex;
    }

    public SamplerSettings settings() {
        return settings;
    }

    public CacheStats stats() {
        return stats;
    }

    /** The uncached samples from the same noise ({@link Pipeline#sampleWithUncached}), else null. */
    public Tensor uncached() {
        return uncached;
    }

    /** The library, Java and thread count that drew them (written with them by {@link #writeLatents}). */
    public Provenance provenance() {
        return provenance;
    }

    /** The samples decoded by the pipeline's decoder ({@link Pipeline#decoder}) [n, 3, H, W] in about [-1, 1], else null. */
    public Tensor decoded() {
        return decoded;
    }

    /** Whether there are images to show: the samples are pixels (1 or 3 channels) or were decoded. */
    public boolean arePixels() {
        return decoded != null || config.inChannels() == 1 || config.inChannels() == 3;
    }

    /**
     * Writes the images (the decoded ones where there are) as a PNG grid, {@value #GRID_COLUMNS} to a row; each pixel
     * of a pixel-space model's samples as 2 x 2.
     */
    public void writePng(Path file) throws IOException {
        if (!arePixels()) {
            throw new IllegalStateException(config.name() + " samples " + config.inChannels() + "-channel latents, not"
                    + " images: decode them (Pipeline.decoder, a VAE) or write them with writeLatents");
        }
        Tensor shown = decoded != null ? decoded : images;
        ImageGrid.writePng(ImageGrid.render(shown, Math.min(shown.dim(0), GRID_COLUMNS), decoded != null ? 1 : GRID_SCALE),
                file, metadata());
    }

    /**
     * What the files written carry besides the samples: model, sampler, steps run ({@code steps}; with fewer steps
     * also {@code schedule_steps}, the N they were spaced from), cfg, seed, first index, cache policy and
     * {@link #provenance()} ({@link Provenance#toMap()}).
     */
    public java.util.Map<String, String> metadata() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("model", config.name());
        m.put("sampler", settings.sampler());
        m.put("steps", Integer.toString(settings.runSteps()));
        if (settings.runSteps() != settings.steps()) {
            m.put("schedule_steps", Integer.toString(settings.steps()));
        }
        m.put("cfg", Float.toString(settings.cfg()));
        m.put("seed", Long.toString(seed));
        m.put("first_index", Long.toString(firstIndex));
        m.put("cache", stats.policy());
        m.putAll(provenance.toMap());
        return m;
    }

    /** Writes the samples as safetensors: {@code samples} [n, C, H, W] and {@code labels} [n], {@link #metadata()} as metadata. */
    public void writeLatents(Path file) throws IOException {
        float[] y = new float[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i];
        }
        StateDict sd = new StateDict().put("samples", images).put("labels", Tensor.of(y, y.length));
        sd.metadata().putAll(metadata());
        SafeTensors.write(file, sd, DType.F32);
    }
}
