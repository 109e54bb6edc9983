package io.ditcache.cli;

import io.ditcache.eval.ParetoReport;
import io.ditcache.eval.ParetoSweep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ditcache pareto}: several {@code eval} runs aggregated into speed/quality curves with error bars. */
@Command(name = "pareto", mixinStandardHelpOptions = true,
        description = {"Aggregate several 'ditcache eval' runs into speed/quality curves with error bars.",
                "Reads DIR/report.csv of each --from run (e.g. one run per --seed) and groups its rows into curves and "
                        + "points. Learned routers named <family>-u<NN>-s<seed>.safetensors (label "
                        + "router:harmonica-u35-s0: family harmonica, target usage 35%%, router seed 0) form one curve per "
                        + "family with one point per target usage; other routers are a point of their own. Baselines form "
                        + "one curve per policy (fora:2 and fora:3 on curve fora; fewer, fbcache, delta-dit alike); none "
                        + "is the uncached reference.",
                "Each point's replicas (its rows in every run, one per router seed) give mean and sample sd of speedup, "
                        + "cache usage, MACs ratio, PSNR, SSIM, FID and class consistency.",
                "Comparisons: a difference of means counts only when it is larger than the spread, the sum of the two "
                        + "sds; otherwise it is reported as within spread (a tie). Learned families are compared with each "
                        + "other at the same target usage, and with fora and fewer at matched speedup (their PSNR and FID "
                        + "linearly interpolated at the learned point's mean speedup, spread = learned sd + sd of the "
                        + "nearer baseline point). The product bar: FID at most 10%% above uncached and class "
                        + "consistency at most 1 point below.",
                "Writes report.md, points.csv, pareto.png (speedup vs FID) and pareto-psnr.png (speedup vs PSNR) to "
                        + "--out and prints the table."})
final class ParetoCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "DIR",
            description = "An eval output directory (with report.csv); repeat for each run.")
    List<Path> from;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--title", defaultValue = "ditcache pareto", paramLabel = "TEXT",
            description = "Report and plot title. Default: ${DEFAULT-VALUE}.")
    String title;

    @Override
    public Integer call() throws Exception {
        validate();
        ParetoSweep sweep = ParetoSweep.read(from);
        List<Path> written = ParetoReport.write(out, sweep, title);
        System.out.print(ParetoReport.table(sweep));
        System.out.println("report -> " + String.join(", ", written.stream().map(Path::toString).toList()));
        return 0;
    }

    /** Every --from has a report.csv, --out can be written and is none of them: before any work. */
    private void validate() {
        for (Path dir : from) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--from " + dir + ": no such directory");
            }
            if (!Files.isRegularFile(dir.resolve("report.csv"))) {
                throw new IllegalArgumentException("--from " + dir + ": no report.csv in it (written by ditcache eval --out "
                        + dir + ")");
            }
        }
        Path abs = out.toAbsolutePath().normalize();
        for (Path dir : from) {
            if (dir.toAbsolutePath().normalize().equals(abs)) {
                throw new IllegalArgumentException("--out " + out + " is also a --from directory: its report.md would be overwritten");
            }
        }
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IllegalArgumentException("--out " + out + ": exists and is not a directory");
        }
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new IllegalArgumentException("--out " + out + ": cannot write there" + (existing == null || existing.equals(abs)
                    ? "" : " (" + existing + " is not a writable directory)"));
        }
    }
}
