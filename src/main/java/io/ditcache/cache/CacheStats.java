package io.ditcache.cache;

import io.ditcache.io.Json;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.Macs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What caching did during a run, summed over every trajectory a {@link CachedDenoiser} ran:
 * <ul>
 *   <li>{@code cache_usage_ratio}: reused unit executions / all unit executions (steps x units x trajectories);</li>
 *   <li>{@code macs}: multiply-accumulates executed ({@link Macs}: always-on parts every step, units only when
 *       computed), times the forward batch (2B with guidance, B without);</li>
 *   <li>{@code macs_uncached}: the same run without caching, counted the same way; for {@code fewer:K} it is the
 *       cost of the requested (baseline) step count, so the ratio shows what the shorter sampler saved;</li>
 *   <li>{@code wall_ms}: time spent in the denoiser (model and cache), {@code wall_ms_uncached} when an uncached
 *       run was measured side by side ({@link #setWallMsUncached});</li>
 *   <li>{@code sampler}, {@code seed}, {@code cfg}, {@code threshold} (null where the policy has none);
 *       {@code psnr_vs_uncached} and {@code ssim_vs_uncached} when the uncached samples were drawn too;</li>
 *   <li>{@code step_order} says the order of the per-step arrays: sampling order, the first step run (the
 *       noisiest) first;</li>
 *   <li>{@code per_step_reused}: reused units per step, in sampling order;</li>
 *   <li>{@code peak_cache_bytes} (0 when the policy never reuses, since nothing is then stored) and its bound;
 *       {@code plan_map}: the compute/reuse map the last trajectory actually executed ({@code #} compute,
 *       {@code .} reuse, in sampling order).</li>
 * </ul>
 * Not thread-safe: one per denoiser.
 */
public final class CacheStats {
    private final DiTConfig config;
    private final String policy;
    private final int steps;
    private final int baselineSteps;
    private final long[] reusedPerStep;
    private final boolean[][] lastMap;
    private long trajectories;
    private long forwards;
    private long unitExecutions;
    private long reused;
    private long macs;
    private long macsUncachedRun;
    private long wallNanos;
    private double wallMsUncached = Double.NaN;
    private long peakCacheBytes;
    private long cacheBytesBound;
    private int forwardBatch;
    private String sampler;
    private long seed;
    private double cfg = Double.NaN;
    private double threshold = Double.NaN;
    private double psnrVsUncached = Double.NaN;
    private double ssimVsUncached = Double.NaN;
    private String decoder;
    private double decodeMs = Double.NaN;
    private long decodeMacs;

    /**
     * @param steps         sampler steps actually run per trajectory
     * @param baselineSteps steps of the uncached reference run ({@code macs_uncached}); equal to steps except for
     *                      {@code fewer:K}
     */
    public CacheStats(DiTConfig config, String policy, int steps, int baselineSteps) {
        this.config = config;
        this.policy = policy;
        this.steps = steps;
        this.baselineSteps = baselineSteps;
        this.reusedPerStep = new long[steps];
        this.lastMap = new boolean[steps][config.units()];
    }

    void beginTrajectory() {
        trajectories++;
        for (boolean[] row : lastMap) {
            java.util.Arrays.fill(row, true);
        }
    }

    void recordUnit(int step, int unit, boolean computed, int batch) {
        unitExecutions++;
        lastMap[step][unit] = computed;
        if (computed) {
            macs += Macs.unit(config, unit) * batch;
        } else {
            reused++;
            reusedPerStep[step]++;
        }
    }

    void recordForward(int batch, long nanos) {
        forwards++;
        forwardBatch = batch;
        macs += Macs.alwaysOn(config) * batch;
        macsUncachedRun += Macs.forward(config) * batch;
        wallNanos += nanos;
    }

    void recordCache(long peakBytes, long boundBytes) {
        peakCacheBytes = Math.max(peakCacheBytes, peakBytes);
        cacheBytesBound = Math.max(cacheBytesBound, boundBytes);
    }

    /**
     * Records what the run was: the sampler's name, its seed, the guidance scale and the policy's threshold (NaN
     * where the policy has none), for the JSON.
     */
    public void setRun(String sampler, long seed, double cfg, double threshold) {
        this.sampler = sampler;
        this.seed = seed;
        this.cfg = cfg;
        this.threshold = threshold;
    }

    /** Records the PSNR and SSIM of these samples against the uncached ones from the same noise. */
    public void setQualityVsUncached(double psnr, double ssim) {
        this.psnrVsUncached = psnr;
        this.ssimVsUncached = ssim;
    }

    /**
     * Records the decoding of the samples into images after sampling: the decoder's name, its wall time (not part of
     * {@link #wallMs()}: decoding is never cached) and its multiply-accumulates.
     */
    public void setDecode(String decoder, double ms, long macs) {
        this.decoder = decoder;
        this.decodeMs = ms;
        this.decodeMacs = macs;
    }

    /** The wall time of decoding the samples ({@link #setDecode}), NaN when they were not decoded. */
    public double decodeMs() {
        return decodeMs;
    }

    /** Records the wall time of an uncached run of the same work, measured by the caller. */
    public void setWallMsUncached(double ms) {
        wallMsUncached = ms;
    }

    public String policy() {
        return policy;
    }

    public long trajectories() {
        return trajectories;
    }

    public long forwards() {
        return forwards;
    }

    public long unitExecutions() {
        return unitExecutions;
    }

    public long reusedUnitExecutions() {
        return reused;
    }

    /** Reused / all unit executions; 0 before any. */
    public double cacheUsageRatio() {
        return unitExecutions == 0 ? 0 : reused / (double) unitExecutions;
    }

    public long macs() {
        return macs;
    }

    public long macsUncached() {
        return steps == baselineSteps ? macsUncachedRun : Math.round(macsUncachedRun * (double) baselineSteps / steps);
    }

    /** macs_uncached / macs. */
    public double macsSpeedup() {
        return macs == 0 ? Double.NaN : macsUncached() / (double) macs;
    }

    public double wallMs() {
        return wallNanos / 1e6;
    }

    /** NaN when not measured. */
    public double wallMsUncached() {
        return wallMsUncached;
    }

    /** Reused units per spaced step (index 0 = least noisy, the last step run), summed over trajectories (a copy). */
    public long[] perStepReused() {
        return reusedPerStep.clone();
    }

    public long peakCacheBytes() {
        return peakCacheBytes;
    }

    public long cacheBytesBound() {
        return cacheBytesBound;
    }

    /** The compute/reuse map the last trajectory executed. */
    public String planMap() {
        return CachePlan.map(lastMap);
    }

    /**
     * What caching did, in one line for people, e.g. {@code cache fora:2: reused 47.5% of unit executions, 1.43 of
     * 2.66 GMACs (1.86x fewer), 812 ms ...}.
     */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "cache %s: reused %.1f%% of unit executions, %s, %.0f ms",
                policy, 100 * cacheUsageRatio(), describeMacs(macs, macsUncached()), wallMs()));
        if (!Double.isNaN(wallMsUncached)) {
            b.append(String.format(Locale.ROOT, " vs %.0f ms uncached (%.2fx wall clock)", wallMsUncached, wallMsUncached / wallMs()));
        }
        if (!Double.isNaN(psnrVsUncached)) {
            b.append(Double.isInfinite(psnrVsUncached) ? ", identical to the uncached samples (PSNR inf)"
                    : String.format(Locale.ROOT, ", PSNR %.2f dB / SSIM %.4f vs uncached", psnrVsUncached, ssimVsUncached));
        }
        b.append(String.format(Locale.ROOT, ", peak cache %.1f MiB", peakCacheBytes / 1048576.0));
        if (decoder != null) {
            b.append(String.format(Locale.ROOT, "; decoded with %s in %.0f ms (%s GMACs, not cached)", decoder, decodeMs,
                    digits3(decodeMacs / 1e9)));
        }
        return b.toString();
    }

    /**
     * "{@code macs} of {@code uncached} MACs" in a unit that keeps three significant digits (M, G or T), with the
     * saving: e.g. {@code 71.2 of 142 GMACs (2.00x fewer)}, {@code 142 GMACs (as many as uncached)}, or a percentage
     * where the ratio would round to 1.00x.
     */
    public static String describeMacs(long macs, long uncached) {
        double top = Math.max(macs, uncached);
        double scale = top >= 1e12 ? 1e12 : top >= 1e9 ? 1e9 : top >= 1e6 ? 1e6 : 1;
        String unit = (scale == 1e12 ? "T" : scale == 1e9 ? "G" : scale == 1e6 ? "M" : "") + "MACs";
        if (macs == uncached) {
            return digits3(uncached / scale) + " " + unit + " (as many as uncached)";
        }
        double ratio = uncached / (double) macs;
        String saving = ratio >= 1.005 ? String.format(Locale.ROOT, "%.2fx fewer", ratio)
                : ratio > 1 ? String.format(Locale.ROOT, "%.1f%% fewer", 100 * (1 - macs / (double) uncached))
                : ratio > 1 / 1.005 ? String.format(Locale.ROOT, "%.1f%% more", 100 * (macs / (double) uncached - 1))
                : String.format(Locale.ROOT, "%.2fx more", 1 / ratio);
        return digits3(macs / scale) + " of " + digits3(uncached / scale) + " " + unit + " (" + saving + ")";
    }

    private static String digits3(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    /** The statistics as a JSON object. */
    public String toJson() {
        return Json.pretty(jsonFields());
    }

    /** Writes {@link #toJson()} to {@code file} atomically. */
    public void writeJson(Path file) throws IOException {
        writeJson(file, Map.of());
    }

    /** As {@link #writeJson(Path)}, with {@code writtenBy} (e.g. the sampling's provenance) under "written_by". */
    public void writeJson(Path file, Map<String, String> writtenBy) throws IOException {
        Map<String, Object> f = jsonFields();
        if (!writtenBy.isEmpty()) {
            f.put("written_by", new LinkedHashMap<>(writtenBy));
        }
        Json.write(file, f);
    }

    private Map<String, Object> jsonFields() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("policy", policy);
        f.put("model", config.name());
        f.put("sampler", sampler);
        f.put("seed", seed);
        f.put("cfg", num(cfg));
        f.put("threshold", num(threshold));
        f.put("steps", steps);
        f.put("baseline_steps", baselineSteps);
        f.put("trajectories", trajectories);
        f.put("forward_batch", forwardBatch);
        f.put("cache_usage_ratio", num(cacheUsageRatio()));
        f.put("unit_executions", unitExecutions);
        f.put("reused_unit_executions", reused);
        f.put("macs", macs);
        f.put("macs_uncached", macsUncached());
        f.put("macs_speedup", num(macsSpeedup()));
        f.put("wall_ms", num(wallMs()));
        if (!Double.isNaN(wallMsUncached)) {
            f.put("wall_ms_uncached", num(wallMsUncached));
            f.put("wall_speedup", num(wallMsUncached / wallMs()));
        }
        if (!Double.isNaN(psnrVsUncached)) {
            // Identical samples have an infinite PSNR, which JSON has no number for.
            f.put("psnr_vs_uncached", Double.isInfinite(psnrVsUncached) ? "inf" : num(psnrVsUncached));
            f.put("ssim_vs_uncached", num(ssimVsUncached));
        }
        if (decoder != null) {
            f.put("decoder", decoder);
            f.put("decode_ms", num(decodeMs));
            f.put("decode_macs", decodeMacs);
        }
        f.put("step_order", STEP_ORDER);
        List<Long> perStep = new ArrayList<>();
        for (int s = steps - 1; s >= 0; s--) {
            perStep.add(reusedPerStep[s]);
        }
        f.put("per_step_reused", perStep);
        f.put("peak_cache_bytes", peakCacheBytes);
        f.put("cache_bytes_bound", cacheBytesBound);
        f.put("plan_map", List.of(planMap().split("\n")));
        return f;
    }

    /** The order of the JSON's per-step arrays ({@code per_step_reused}, {@code plan_map}). */
    public static final String STEP_ORDER = "sampling order: index 0 is the first step run (the noisiest, spaced index"
            + " steps-1), the last index the final step (spaced index 0)";

    private static Object num(double v) {
        return Json.number("%.6g", v);
    }
}
