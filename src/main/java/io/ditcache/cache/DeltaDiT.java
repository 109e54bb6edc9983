package io.ditcache.cache;

/**
 * {@code delta-dit[:interval=K,blocks=N,boundary=B]}: the stage-dependent block-range reuse of Delta-DiT (Chen et
 * al. 2024, "Δ-DiT: A Training-Free Acceleration Method Tailored for Diffusion Transformers"). Front blocks shape
 * the outline, rear blocks the details, so in the early (noisy) stage the <em>rear</em> N blocks are reused and
 * in the late stage the <em>front</em> N blocks; every K-th step recomputes everything to refresh the cache.
 * <ul>
 *   <li>sampling position p = {@code steps - 1 - step} (0 = first, noisiest step);</li>
 *   <li>p % K == 0: full step, all units computed;</li>
 *   <li>otherwise, if p &lt; round(B * steps) (early stage): both units of blocks {@code depth-N .. depth-1}
 *       reused, the rest computed; else (late stage): both units of blocks {@code 0 .. N-1} reused.</li>
 * </ul>
 * Defaults: K = 2, N = depth / 2 (written {@code blocks=0} until the depth is known), B = 0.5. Delta-DiT caches
 * the residual change of the block range; at our unit granularity each reused block keeps its stored
 * attention and MLP outputs while its gates follow the current step, the closest equivalent this engine has.
 *
 * @param interval K >= 1
 * @param blocks   N in 0..depth (0 = depth / 2)
 * @param boundary B in [0, 1], the fraction of sampling steps that counts as the early stage
 */
public record DeltaDiT(int interval, int blocks, double boundary) implements StaticPolicy {
    public static final DeltaDiT DEFAULT = new DeltaDiT(2, 0, 0.5);

    public DeltaDiT {
        if (interval < 1) {
            throw new IllegalArgumentException("delta-dit: interval must be >= 1, got " + interval);
        }
        if (blocks < 0) {
            throw new IllegalArgumentException("delta-dit: blocks must be >= 0 (0 = depth/2), got " + blocks);
        }
        if (!(boundary >= 0 && boundary <= 1)) {
            throw new IllegalArgumentException("delta-dit: boundary must be in [0, 1], got " + boundary);
        }
    }

    @Override
    public String spec() {
        return "delta-dit:interval=" + interval + ",blocks=" + blocks + ",boundary=" + boundary;
    }

    /** The reused block count for a model of {@code depth} blocks. */
    public int blocksFor(int depth) {
        int n = blocks == 0 ? depth / 2 : blocks;
        if (n > depth) {
            throw new IllegalArgumentException("delta-dit: blocks=" + n + " exceeds the model depth " + depth);
        }
        return n;
    }

    @Override
    public CachePlan plan(int steps, int units) {
        int depth = units / 2;
        int n = blocksFor(depth);
        long early = Math.round(boundary * steps);
        boolean[][] compute = new boolean[steps][units];
        for (int step = 0; step < steps; step++) {
            int p = steps - 1 - step;
            for (int block = 0; block < depth; block++) {
                boolean reused;
                if (p % interval == 0) {
                    reused = false;
                } else if (p < early) {
                    reused = block >= depth - n;
                } else {
                    reused = block < n;
                }
                compute[step][2 * block] = !reused;
                compute[step][2 * block + 1] = !reused;
            }
        }
        return CachePlan.of(compute);
    }
}
