package io.ditcache.eval;

import io.ditcache.Provenance;
import io.ditcache.SamplerSettings;
import io.ditcache.cache.ModelFingerprint;
import io.ditcache.io.Json;
import io.ditcache.io.JsonFields;
import io.ditcache.model.DiT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An evaluation over the sample indices [from, to) of a job, reduced to each method's {@link MethodStatistics}:
 * what one shard of a split evaluation ({@code eval --shard K/N}, a Spark task) hands back. Shards of one job merge
 * into the statistics of all its samples, from which {@link #results} gives the report a single run would have.
 *
 * @param job     what the samples are (model, sampler settings, seed, n, methods): shards merge only with equal jobs
 * @param methods the uncached baseline first, in the job's method order
 */
public record EvalShard(Map<String, Object> job, long from, long to, List<MethodStatistics> methods) {
    /** The {@code format} written in every shard file. */
    public static final String FORMAT = "ditcache-eval-shard-1";
    /** The job's {@code judge} when the shipped Fashion-MNIST classifier judged, and when nothing did. */
    private static final String CLASSIFIER = "fashion-mnist-classifier";
    private static final String NO_JUDGE = "none";

    public EvalShard {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("shard range [" + from + ", " + to + ") is empty or negative");
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("a shard needs the baseline's statistics at least");
        }
        job = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(job));
        methods = List.copyOf(methods);
    }

    /**
     * The job description shards are matched by: {@code model} names the weights ({@link #modelOf}),
     * {@code judged} whether the shipped Fashion-MNIST classifier judged.
     */
    public static Map<String, Object> job(String model, SamplerSettings settings, long seed, long n, List<String> methods,
                                          boolean judged) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("sampler", settings.sampler());
        j.put("steps", (long) settings.steps());
        j.put("cfg", (double) settings.cfg());
        j.put("seed", seed);
        j.put("n", n);
        j.put("methods", List.copyOf(methods));
        j.put("judge", judged ? CLASSIFIER : NO_JUDGE);
        return j;
    }

    /**
     * A job's {@code model} for {@code model}: its config name and {@link ModelFingerprint} (a hash of some weights:
     * compute it once per model, not per shard).
     */
    public static String modelOf(DiT model) {
        return model.config().name() + " " + ModelFingerprint.of(model);
    }

    /** The shard of runs over [from, to) (the baseline, {@code runs.get(0)}, first), labelled {@code labels}. */
    public static EvalShard of(Map<String, Object> job, long from, long to, List<Evaluation.Run> runs, int[] labels,
                               SampleJudge judge) {
        if (labels.length != to - from) {
            throw new IllegalArgumentException(labels.length + " labels for the range [" + from + ", " + to + ")");
        }
        List<MethodStatistics> stats = new ArrayList<>();
        for (Evaluation.Run r : runs) {
            stats.add(MethodStatistics.of(r, runs.get(0), labels, judge));
        }
        return new EvalShard(job, from, to, stats);
    }

    /** The number of samples of the whole job. */
    public long n() {
        return (Long) job.get("n");
    }

    /** Whether this shard covers the whole job, [0, n). */
    public boolean complete() {
        return from == 0 && to == n();
    }

    /**
     * The merge of shards of one job that together cover a contiguous range, in any order: refused (naming the
     * shards) when jobs differ, ranges overlap or leave a gap.
     */
    public static EvalShard merge(List<EvalShard> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shards to merge");
        }
        List<EvalShard> sorted = new ArrayList<>(shards);
        sorted.sort(Comparator.comparingLong(EvalShard::from));
        EvalShard acc = sorted.get(0);
        for (EvalShard s : sorted.subList(1, sorted.size())) {
            if (!s.job.equals(acc.job)) {
                throw new IllegalArgumentException("shard [" + s.from + ", " + s.to + ") is of another job: " + s.job
                        + " vs " + acc.job);
            }
            if (s.from < acc.to) {
                throw new IllegalArgumentException("shards overlap at [" + s.from + ", " + Math.min(s.to, acc.to) + ")");
            }
            if (s.from > acc.to) {
                throw new IllegalArgumentException("no shard covers [" + acc.to + ", " + s.from + ")");
            }
            if (s.methods.size() != acc.methods.size()) {
                throw new IllegalArgumentException("shard [" + s.from + ", " + s.to + ") has " + s.methods.size()
                        + " methods, [" + acc.from + ", " + acc.to + ") " + acc.methods.size());
            }
            List<MethodStatistics> merged = new ArrayList<>();
            for (int i = 0; i < acc.methods.size(); i++) {
                merged.add(acc.methods.get(i).merge(s.methods.get(i)));
            }
            acc = new EvalShard(acc.job, acc.from, s.to, merged);
        }
        return acc;
    }

    /** The sampler settings of the job. */
    public SamplerSettings settings() {
        return new SamplerSettings((String) job.get("sampler"), Math.toIntExact((Long) job.get("steps")),
                ((Number) job.get("cfg")).floatValue());
    }

    /** Whether the shipped Fashion-MNIST classifier judged the samples (class consistency, FID). */
    public boolean judged() {
        return CLASSIFIER.equals(job.get("judge"));
    }

    /**
     * Writes the report of the whole job (report.md, report.csv, pareto.png, as {@code ditcache eval} does) to
     * {@code dir}, FID against {@code reference} where given; {@code how} says how it ran (e.g. "merged from 8
     * shards"). Refused unless the shard covers the whole job.
     */
    public List<MethodResult> writeReport(Path dir, FeatureStatistics reference, String how) throws IOException {
        if (!complete()) {
            throw new IllegalArgumentException("the shards cover samples [" + from + ", " + to + ") of a job of " + n()
                    + ": the report needs all of [0, " + n() + ")");
        }
        List<MethodResult> results = results(reference);
        long seed = (Long) job.get("seed");
        EvalReport.write(dir, results, EvalReport.header((String) job.get("model"), settings(), n(), seed, how), seed);
        return results;
    }

    /** Every method's result against the baseline (the first), FID against {@code reference} where given. */
    public List<MethodResult> results(FeatureStatistics reference) {
        List<MethodResult> out = new ArrayList<>();
        for (MethodStatistics m : methods) {
            out.add(m.result(methods.get(0), reference));
        }
        return out;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("written_by", Provenance.current().summary());
        m.put("job", job);
        m.put("from", from);
        m.put("to", to);
        m.put("methods", methods.stream().map(MethodStatistics::toJson).toList());
        return m;
    }

    /** Writes the shard to {@code file} atomically (a temporary file, then a rename). */
    public void write(Path file) throws IOException {
        Json.write(file, toJson());
    }

    /**
     * The shard files named by {@code paths}: files as given, directories by their {@code shard-*.json} files.
     * Refuses a missing path or a directory without shards.
     */
    public static List<EvalShard> readAll(List<Path> paths) throws IOException {
        List<EvalShard> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> files;
                try (var list = Files.list(p)) {
                    files = list.filter(f -> f.getFileName().toString().matches("shard-\\d+-of-\\d+\\.json")).sorted().toList();
                }
                if (files.isEmpty()) {
                    throw new IllegalArgumentException(p + ": no shard-K-of-N.json files in this directory");
                }
                for (Path f : files) {
                    out.add(read(f));
                }
            } else if (Files.isRegularFile(p)) {
                out.add(read(p));
            } else {
                throw new IllegalArgumentException(p + ": no such file or directory");
            }
        }
        return out;
    }

    /** Reads a shard file, refusing (naming the file and key) anything but {@link #toJson}'s form. */
    public static EvalShard read(Path file) throws IOException {
        String where = file.toString();
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        JsonFields o = new JsonFields(parsed, where);
        if (!FORMAT.equals(o.string("format"))) {
            throw new IllegalArgumentException(where + ": format '" + o.string("format") + "', expected '" + FORMAT + "'");
        }
        JsonFields j = o.object("job");
        List<String> methodNames = new ArrayList<>();
        for (Object name : j.list("methods")) {
            if (!(name instanceof String str)) {
                throw new IllegalArgumentException(where + ": job.methods must be strings");
            }
            methodNames.add(str);
        }
        String judge = j.string("judge");
        if (!judge.equals(CLASSIFIER) && !judge.equals(NO_JUDGE)) {
            throw new IllegalArgumentException(where + ": job.judge '" + judge + "' is unknown");
        }
        Map<String, Object> job = job(j.string("model"), new SamplerSettings(j.string("sampler"),
                        Math.toIntExact(j.longValue("steps")), (float) j.doubleValue("cfg")), j.longValue("seed"),
                j.longValue("n"), methodNames, judge.equals(CLASSIFIER));
        List<MethodStatistics> methods = new ArrayList<>();
        List<?> list = o.list("methods");
        for (int i = 0; i < list.size(); i++) {
            methods.add(MethodStatistics.fromJson(list.get(i), where + ": methods[" + i + "]"));
        }
        try {
            EvalShard s = new EvalShard(job, o.longValue("from"), o.longValue("to"), methods);
            if (s.to > s.n() || methods.size() != methodNames.size()) {
                throw new IllegalArgumentException("range [" + s.from + ", " + s.to + ") of a job of " + s.n()
                        + " samples, " + methods.size() + " methods for " + methodNames.size() + " names");
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
