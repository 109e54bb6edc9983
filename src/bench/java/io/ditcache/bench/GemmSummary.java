package io.ditcache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns the JMH CSV output of {@link GemmBenchmark} into a Markdown GFLOP/s table with the ratio of ours to the
 * fastest alternative. Args: default-coretype CSV, Haswell-coretype CSV, the raw text log (for machine notes), threads.
 */
public final class GemmSummary {
    private GemmSummary() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, Map<String, Double>> gflops = new LinkedHashMap<>();
        read(Path.of(args[0]), "", gflops);
        read(Path.of(args[1]), " (Haswell)", gflops);
        List<String> notes = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[2]))) {
            // Lines the benchmark's forks print may follow JMH's own text on the same line.
            for (String marker : new String[]{"OpenBLAS core:", "gemm: "}) {
                int at = line.indexOf(marker);
                line = at > 0 ? line.substring(at) : line;
            }
            if (Stream.of("cpu", "java:", "threads:", "gemm: ", "uptime", "OPENBLAS_", "OpenBLAS core:").anyMatch(line::startsWith)
                    && !notes.contains(line)) {
                notes.add(line);
            }
        }
        String[] columns = {"ours", "ours_packed", "ejml", "ejml_mt", "openblas", "openblas (Haswell)"};
        StringBuilder md = new StringBuilder("# GEMM GFLOP/s, C[M,N] = A[M,K] * B[N,K]^T, " + args[3] + " threads\n\n");
        md.append("| M x K -> N |");
        for (String c : columns) {
            md.append(' ').append(c).append(" |");
        }
        md.append(" best alternative | ours / best | ours_packed / best |\n|---|");
        md.append("---:|".repeat(columns.length + 3)).append('\n');
        for (Map.Entry<String, Map<String, Double>> e : gflops.entrySet()) {
            String[] s = e.getKey().split("x");
            md.append("| ").append(s[0]).append('x').append(s[1]).append(" -> ").append(s[2]).append(" |");
            String best = null;
            for (String c : columns) {
                Double v = e.getValue().get(c);
                md.append(v == null ? " - |" : String.format(" %.1f |", v));
                if (v != null && !c.startsWith("ours") && (best == null || v > e.getValue().get(best))) {
                    best = c;
                }
            }
            md.append(' ').append(best == null ? "-" : best).append(" |");
            for (String ours : new String[]{"ours", "ours_packed"}) {
                Double v = e.getValue().get(ours);
                md.append(best == null || v == null ? " - |" : String.format(" %.2f |", v / e.getValue().get(best)));
            }
            md.append('\n');
        }
        md.append("\nBar: ours >= 0.85 x best alternative. `ours` packs both operands inside every call (as for"
                + " activations); `ours_packed` multiplies by a weight packed once (PackedWeight), as the model's"
                + " forward does since weights are constant. OpenBLAS packs inside every call.\n\n");
        double idle = idleBefore(notes);
        if (idle >= 0 && idle < 90) {
            md.append(String.format("**Machine busy**: only %.0f%% of the CPU was idle right before the run; other"
                    + " processes shared the cores, so these figures are noisy (multi-threaded OpenBLAS suffers most)."
                    + " Rerun on a quiet machine for final numbers.%n%n", idle));
        }
        for (String n : notes) {
            md.append("- ").append(n).append('\n');
        }
        System.out.print(md);
    }

    /** The "cpu idle before: N%" note, or -1 when absent. */
    private static double idleBefore(List<String> notes) {
        for (String n : notes) {
            if (n.startsWith("cpu idle before:")) {
                return Double.parseDouble(n.substring(n.indexOf(':') + 1).replace("%", "").trim());
            }
        }
        return -1;
    }

    /** Reads JMH CSV rows (Benchmark, Mode, Threads, Samples, Score, Error, Unit, impl, shape, threads). */
    private static void read(Path csv, String suffix, Map<String, Map<String, Double>> gflops) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = split(lines.get(0));
        int score = header.indexOf("Score");
        int unit = header.indexOf("Unit");
        int impl = header.indexOf("Param: impl");
        int shape = header.indexOf("Param: shape");
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = split(line);
            if (!f.get(unit).equals("ms/op")) {
                throw new IllegalArgumentException(csv + ": expected ms/op, got " + f.get(unit));
            }
            String[] s = f.get(shape).split("x");
            double flop = 2.0 * Long.parseLong(s[0]) * Long.parseLong(s[1]) * Long.parseLong(s[2]);
            double ms = Double.parseDouble(f.get(score));
            gflops.computeIfAbsent(f.get(shape), k -> new LinkedHashMap<>()).put(f.get(impl) + suffix, flop / (ms * 1e6));
        }
    }

    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        for (String f : line.split(",", -1)) {
            out.add(f.startsWith("\"") && f.endsWith("\"") ? f.substring(1, f.length() - 1) : f);
        }
        return out;
    }
}
