package io.ditcache.cli;

import io.ditcache.data.FashionMnist;
import io.ditcache.eval.FeatureStatistics;
import io.ditcache.eval.Judges;
import io.ditcache.eval.SampleJudge;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --no-fid} option of {@code eval} and {@code eval-merge} (a picocli mixin): the FID of Fashion-MNIST models
 * needs the dataset's test images, and a run that cannot compute it stops before any sampling unless told to go on
 * without (a report whose FID column is silently empty was the old behaviour).
 */
final class FidOption {
    @Option(names = "--no-fid", description = "Skip the FID (Fashion-MNIST models only): the run then needs no"
            + " Fashion-MNIST test set, and the reports show '-' for it.")
    boolean skip;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory of the Fashion-MNIST IDX files, for the"
            + " FID's test set (default: " + FashionMnist.DEFAULT_DIR_NAME + ").")
    Path dataDir;

    private FashionMnist data() {
        return dataDir == null ? new FashionMnist() : new FashionMnist(dataDir);
    }

    /** Fails now, naming the missing file and how to get it, when the FID is wanted and the test set is absent. */
    void checkTestSet() {
        if (skip) {
            return;
        }
        try {
            data().checkPresent(FashionMnist.Split.TEST);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the FID needs the Fashion-MNIST test set: " + e.getFile() + ": "
                    + e.getReason() + "; or pass --no-fid to evaluate without the FID");
        }
    }

    /** The test set's feature statistics for the FID, with a progress line; null with {@code --no-fid}. */
    FeatureStatistics reference(SampleJudge judge) throws java.io.IOException {
        if (skip) {
            return null;
        }
        Progress.Phase phase = Progress.phase("classifier features of the 10,000 Fashion-MNIST test images (for FID)");
        FeatureStatistics s = Judges.testSetStatistics(judge, data());
        phase.done();
        return s;
    }
}
