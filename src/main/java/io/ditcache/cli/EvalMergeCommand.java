package io.ditcache.cli;

import io.ditcache.eval.EvalReport;
import io.ditcache.eval.EvalShard;
import io.ditcache.eval.FeatureStatistics;
import io.ditcache.eval.Judges;
import io.ditcache.eval.MethodResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ditcache eval-merge}: the report of a whole evaluation from the shard files of {@code eval --shard K/N}. */
@Command(name = "eval-merge", mixinStandardHelpOptions = true,
        description = {"Merge the shards of a split evaluation into its report.",
                "Reads the shard-K-of-N.json files that 'ditcache eval --shard K/N' wrote (files, or directories holding"
                        + " them), checks that they are of one job and cover its --n samples exactly once, merges their"
                        + " exact sufficient statistics and writes report.md, report.csv and pareto.png to --out: the"
                        + " report one unsplit run gives, to float rounding (wall times are the shards' sums)."})
final class EvalMergeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SHARD", description = "Shard files, or directories of shard-*.json files.")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory of the report.")
    Path out;

    @Mixin
    FidOption fid = new FidOption();

    @Override
    public Integer call() throws Exception {
        Preflight.outputDirectory("--out", out);
        List<EvalShard> shards = EvalShard.readAll(inputs);
        EvalShard merged = EvalShard.merge(shards);
        if (!merged.complete()) {
            throw new IllegalArgumentException("the " + shards.size() + " shards cover samples [" + merged.from() + ", "
                    + merged.to() + ") of a job of " + merged.n() + ": run the missing --shard parts first");
        }
        FeatureStatistics reference = null;
        if (merged.judged()) {
            fid.checkTestSet();
            reference = fid.reference(Judges.shippedClassifier());
        }
        Files.createDirectories(out);
        List<MethodResult> results = merged.writeReport(out, reference, "merged from " + shards.size() + " shards");
        EvalReport.print(results, System.out);
        System.out.println("report -> " + out.resolve("report.md") + ", " + out.resolve("report.csv") + ", "
                + out.resolve("pareto.png"));
        return 0;
    }
}
