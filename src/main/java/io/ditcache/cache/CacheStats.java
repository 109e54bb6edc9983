package io.ditcache.cache;

import io.ditcache.io.AtomicFiles;
import io.ditcache.model.DiTConfig;
import io.ditcache.model.Macs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

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
 *   <li>{@code per_step_reused}: reused units per spaced step (index 0 = least noisy);</li>
 *   <li>{@code peak_cache_bytes} and its bound; {@code plan_map}: the compute/reuse map the last trajectory
 *       actually executed ({@code #} compute, {@code .} reuse, noisy step first).</li>
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

    /** Reused units per spaced step, summed over trajectories (a copy). */
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

    /** One line for the command line, e.g. {@code cache fora:2: reused 47.5% of units, MACs 1.86x fewer ...}. */
    public String summaryLine() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "cache %s: reused %.1f%% of unit executions, %.2f of %.2f TMACs (%.2fx fewer), %.0f ms",
                policy, 100 * cacheUsageRatio(), macs / 1e12, macsUncached() / 1e12, macsSpeedup(), wallMs()));
        if (!Double.isNaN(wallMsUncached)) {
            b.append(String.format(Locale.ROOT, " vs %.0f ms uncached (%.2fx)", wallMsUncached, wallMsUncached / wallMs()));
        }
        b.append(String.format(Locale.ROOT, ", peak cache %.1f MiB", peakCacheBytes / 1048576.0));
        return b.toString();
    }

    /** The statistics as a JSON object. */
    public String toJson() {
        StringBuilder b = new StringBuilder("{\n");
        field(b, "policy", quote(policy));
        field(b, "model", quote(config.name()));
        field(b, "steps", steps);
        field(b, "baseline_steps", baselineSteps);
        field(b, "trajectories", trajectories);
        field(b, "forward_batch", forwardBatch);
        field(b, "cache_usage_ratio", num(cacheUsageRatio()));
        field(b, "unit_executions", unitExecutions);
        field(b, "reused_unit_executions", reused);
        field(b, "macs", macs);
        field(b, "macs_uncached", macsUncached());
        field(b, "macs_speedup", num(macsSpeedup()));
        field(b, "wall_ms", num(wallMs()));
        if (!Double.isNaN(wallMsUncached)) {
            field(b, "wall_ms_uncached", num(wallMsUncached));
            field(b, "wall_speedup", num(wallMsUncached / wallMs()));
        }
        StringBuilder perStep = new StringBuilder("[");
        for (int s = 0; s < steps; s++) {
            perStep.append(s == 0 ? "" : ", ").append(reusedPerStep[s]);
        }
        field(b, "per_step_reused", perStep.append(']'));
        field(b, "peak_cache_bytes", peakCacheBytes);
        field(b, "cache_bytes_bound", cacheBytesBound);
        StringBuilder map = new StringBuilder("[");
        String[] rows = planMap().split("\n");
        for (int i = 0; i < rows.length; i++) {
            map.append(i == 0 ? "\n    " : ",\n    ").append(quote(rows[i]));
        }
        b.append("  \"plan_map\": ").append(map.append("\n  ]")).append("\n}\n");
        return b.toString();
    }

    /** Writes {@link #toJson()} to {@code file} atomically. */
    public void writeJson(Path file) throws IOException {
        byte[] bytes = toJson().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        });
    }

    private static void field(StringBuilder b, String name, Object value) {
        b.append("  \"").append(name).append("\": ").append(value).append(",\n");
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                q.append('\\').append(c);
            } else if (c < 0x20) {
                q.append(String.format("\\u%04x", (int) c));
            } else {
                q.append(c);
            }
        }
        return q.append('"').toString();
    }
}
