package io.ditcache.eval;

import io.ditcache.io.JsonFields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One method's evaluation over some samples, as sums that merge exactly across shards: counters and wall time,
 * the squared error and SSIM against the uncached samples, classifier hits and feature moments. A
 * {@link MethodResult} is derived from the merged sums, so an evaluation split over machines reports what one
 * machine would have, to float rounding.
 *
 * @param decodeMs     time decoding the samples into images (a VAE), not cached and not in {@code wallMs}; 0 without
 * @param squaredError sum over all elements of (sample - uncached sample)^2, in double; {@code elements} of them
 * @param ssimSum      sum over images of their SSIM against the uncached image ({@code images} of them)
 * @param hits         samples the classifier puts in their class; -1 without a classifier
 * @param features     classifier-feature moments of the samples; null without a classifier
 */
public record MethodStatistics(String method, int steps, long images, long unitExecutions, long reusedUnitExecutions,
                               long macs, long macsUncached, double wallMs, double decodeMs, double squaredError,
                               long elements, double ssimSum, long hits, FeatureMoments features) {

    /** The statistics of {@code run} against the uncached {@code baseline} of the same samples, labelled {@code labels}. */
    public static MethodStatistics of(Evaluation.Run run, Evaluation.Run baseline, int[] labels, SampleJudge judge) {
        double squared = ImageMetrics.squaredError(run.samples(), baseline.samples());
        double ssimSum = 0;
        for (double v : ImageMetrics.ssimPerImage(run.samples(), baseline.samples(), 2.0)) {
            ssimSum += v;
        }
        long hits = -1;
        FeatureMoments features = null;
        if (judge != null) {
            int[] predicted = judge.predict(run.samples());
            hits = 0;
            for (int i = 0; i < labels.length; i++) {
                hits += predicted[i] == labels[i] ? 1 : 0;
            }
            features = FeatureMoments.of(judge.features(run.samples()));
        }
        return new MethodStatistics(run.method(), run.steps(), labels.length, run.unitExecutions(),
                run.reusedUnitExecutions(), run.macs(), run.macsUncached(), run.wallMs(), run.decodeMs(), squared,
                run.samples().numel(), ssimSum, hits, features);
    }

    /** The statistics of this method over its samples and {@code other}'s (the same method on other samples). */
    public MethodStatistics merge(MethodStatistics other) {
        if (!method.equals(other.method) || steps != other.steps) {
            throw new IllegalArgumentException("cannot merge the statistics of " + method + " (" + steps + " steps) with "
                    + other.method + " (" + other.steps + " steps)");
        }
        if ((features == null) != (other.features == null)) {
            throw new IllegalArgumentException(method + ": one part has classifier statistics, the other not");
        }
        return new MethodStatistics(method, steps, images + other.images, unitExecutions + other.unitExecutions,
                reusedUnitExecutions + other.reusedUnitExecutions, macs + other.macs, macsUncached + other.macsUncached,
                wallMs + other.wallMs, decodeMs + other.decodeMs, squaredError + other.squaredError, elements + other.elements,
                ssimSum + other.ssimSum, hits < 0 ? -1 : hits + other.hits,
                features == null ? null : features.merge(other.features));
    }

    /**
     * The result against the uncached {@code baseline}'s statistics over the same samples; FID against
     * {@code reference} where both it and feature moments of two or more samples are there, else NaN.
     */
    public MethodResult result(MethodStatistics baseline, FeatureStatistics reference) {
        double psnr = ImageMetrics.psnrOfMse(squaredError / elements, 2.0);
        double ssim = ssimSum / images;
        double consistency = hits < 0 ? Double.NaN : (double) hits / images;
        double fid = reference != null && features != null && features.count() > 1
                ? FrechetDistance.between(features.statistics(), reference) : Double.NaN;
        double usage = unitExecutions == 0 ? 0 : (double) reusedUnitExecutions / unitExecutions;
        return new MethodResult(method, steps, usage, macs, (double) macs / baseline.macs, wallMs,
                baseline.wallMs / wallMs, psnr, ssim, fid, consistency);
    }

    /** As a JSON value ({@link io.ditcache.io.Json}): doubles written in full, so they read back to the same bits. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("steps", steps);
        m.put("images", images);
        m.put("unit_executions", unitExecutions);
        m.put("reused_unit_executions", reusedUnitExecutions);
        m.put("macs", macs);
        m.put("macs_uncached", macsUncached);
        m.put("wall_ms", wallMs);
        m.put("decode_ms", decodeMs);
        m.put("squared_error", squaredError);
        m.put("elements", elements);
        m.put("ssim_sum", ssimSum);
        m.put("hits", hits);
        if (features != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("count", features.count());
            f.put("mean", list(features.mean()));
            List<Object> rows = new ArrayList<>();
            for (double[] row : features.m2()) {
                rows.add(list(row));
            }
            f.put("m2", rows);
            m.put("features", f);
        }
        return m;
    }

    /** Reads {@link #toJson}'s form; {@code where} names the file in errors. */
    public static MethodStatistics fromJson(Object value, String where) {
        JsonFields o = new JsonFields(value, where);
        FeatureMoments features = null;
        if (o.has("features")) {
            JsonFields f = o.object("features");
            double[] mean = f.doubles("mean");
            List<?> rows = f.list("m2");
            double[][] m2 = new double[rows.size()][];
            for (int i = 0; i < m2.length; i++) {
                m2[i] = JsonFields.doubles(rows.get(i), where + ": features.m2[" + i + "]");
            }
            try {
                features = new FeatureMoments(f.longValue("count"), mean, m2);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": features: " + e.getMessage(), e);
            }
        }
        return new MethodStatistics(o.string("method"), Math.toIntExact(o.longValue("steps")), o.longValue("images"),
                o.longValue("unit_executions"), o.longValue("reused_unit_executions"), o.longValue("macs"),
                o.longValue("macs_uncached"), o.doubleValue("wall_ms"), o.doubleValue("decode_ms"),
                o.doubleValue("squared_error"),
                o.longValue("elements"), o.doubleValue("ssim_sum"), o.longValue("hits"), features);
    }

    private static List<Object> list(double[] v) {
        List<Object> out = new ArrayList<>(v.length);
        for (double x : v) {
            out.add(x);
        }
        return out;
    }
}
