package io.ditcache.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The {@code report.csv} format of {@code ditcache eval}: one row per method, written by {@link EvalReport} and read
 * back by {@link ParetoSweep} to aggregate several runs. Columns are found by name, so their order may change;
 * every column of {@link #HEADER} must be present. The last column, {@value #SAMPLE_SEED}, is the run's sample seed
 * (the same on every row); reports written before it existed lack it, and read as runs of unknown seed.
 */
public final class ReportCsv {
    /** The header line, without the line break. */
    public static final String HEADER =
            "method,steps,cache_usage_ratio,macs,macs_ratio,wall_ms,speedup,psnr,ssim,fid_classifier,class_consistency";
    private static final String[] COLUMNS = HEADER.split(",");
    /** The optional column of the run's sample seed. */
    public static final String SAMPLE_SEED = "sample_seed";

    private ReportCsv() {
    }

    /**
     * The CSV text: header, then one line per result (non-finite values as Java writes them: NaN, Infinity), each
     * with the run's {@code sampleSeed}.
     */
    public static String format(List<MethodResult> results, long sampleSeed) {
        StringBuilder sb = new StringBuilder(HEADER).append(',').append(SAMPLE_SEED).append('\n');
        for (MethodResult r : results) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%.6f,%d,%.6f,%.3f,%.4f,%s,%s,%s,%s,%d%n", r.method(), r.steps(),
                    r.cacheUsageRatio(), r.macs(), r.macsRatio(), r.wallMs(), r.speedup(), r.psnr(), r.ssim(), r.fid(),
                    r.consistency(), sampleSeed));
        }
        return sb.toString();
    }

    /**
     * Reads a report.csv as the run {@code name}.
     *
     * @throws IllegalArgumentException naming the file (and line) when it is missing, empty, lacks a column, has a
     *                                  row of the wrong width, a value that is not a number, or sample seeds that
     *                                  differ between rows
     */
    public static EvalRun read(Path file, String name) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file (expected the report.csv of ditcache eval)");
        }
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new IllegalArgumentException(file + ": empty, expected the header '" + HEADER + "'");
        }
        String[] header = lines.get(0).strip().split(",", -1);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            index.put(header[i].strip(), i);
        }
        int[] at = new int[COLUMNS.length];
        for (int c = 0; c < COLUMNS.length; c++) {
            Integer i = index.get(COLUMNS[c]);
            if (i == null) {
                throw new IllegalArgumentException(file + ", line 1: no column '" + COLUMNS[c] + "' (expected '" + HEADER + "')");
            }
            at[c] = i;
        }
        Integer seedAt = index.get(SAMPLE_SEED);
        Long seed = null;
        List<MethodResult> results = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            String where = file + ", line " + (n + 1);
            if (f.length != header.length) {
                throw new IllegalArgumentException(where + ": " + f.length + " fields, the header has " + header.length
                        + (f.length > header.length ? " (a comma in the method label?)" : ""));
            }
            String method = f[at[0]].strip();
            if (method.isEmpty()) {
                throw new IllegalArgumentException(where + ": empty method");
            }
            results.add(new MethodResult(method, (int) integer(f, at, 1, where), real(f, at, 2, where),
                    integer(f, at, 3, where), real(f, at, 4, where), real(f, at, 5, where), real(f, at, 6, where),
                    real(f, at, 7, where), real(f, at, 8, where), real(f, at, 9, where), real(f, at, 10, where)));
            if (seedAt != null) {
                long rowSeed = integer(f[seedAt], SAMPLE_SEED, where);
                if (seed != null && seed != rowSeed) {
                    throw new IllegalArgumentException(where + ": " + SAMPLE_SEED + " " + rowSeed + ", earlier rows "
                            + seed + " (one run has one sample seed)");
                }
                seed = rowSeed;
            }
        }
        if (results.isEmpty()) {
            throw new IllegalArgumentException(file + ": no rows after the header");
        }
        return new EvalRun(name, seed == null ? OptionalLong.empty() : OptionalLong.of(seed), results);
    }

    private static long integer(String[] fields, int[] at, int column, String where) {
        return integer(fields[at[column]], COLUMNS[column], where);
    }

    private static double real(String[] fields, int[] at, int column, String where) {
        String s = fields[at[column]].strip();
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": column '" + COLUMNS[column] + "' is not a number: '" + s + "'");
        }
    }

    /** {@code field} as a long, exactly (seeds use all 64 bits), or an error naming the line and column. */
    private static long integer(String field, String column, String where) {
        String s = field.strip();
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": column '" + column + "' is not an integer: '" + s + "'");
        }
    }
}
