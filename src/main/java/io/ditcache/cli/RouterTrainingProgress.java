package io.ditcache.cli;

import io.ditcache.train.RouterTrainer;
import io.ditcache.train.RouterTrainingConfig;
import java.util.Locale;

/**
 * train-router's progress: the iteration bar with the windowed loss and the cache usage (and β where it adapts), and
 * HarmoniCa's IEPO λ refreshes, minutes of gradient-free generations on a big model, announced as they start and end
 * and counted in between.
 */
final class RouterTrainingProgress implements RouterTrainer.Listener {
    /** Iterations over which the reported loss is averaged. */
    private static final int LOSS_WINDOW = 20;

    private final Progress bar;
    private final RouterTrainingConfig config;
    private double lossSum;
    private int losses;
    private long iteration;
    private long refreshStart;

    RouterTrainingProgress(Progress bar, RouterTrainingConfig config, long startedAt) {
        this.bar = bar;
        this.config = config;
        this.iteration = startedAt;
    }

    @Override
    public void onIteration(long done, long total, double loss, RouterTrainer t) {
        iteration = done;
        if (!Double.isNaN(loss)) {
            lossSum += loss;
            losses++;
        }
        // No loss yet in this window: only SDT's forced first step ran (it computes everything, learns nothing).
        String lossText = losses == 0 ? "-" : String.format(Locale.ROOT, "%.4g", lossSum / losses);
        String msg = String.format(Locale.ROOT, "loss %s, cache usage %.1f%% at %.3g", lossText, 100 * t.cacheUsage(),
                t.threshold()) + (config.targetsUsage() ? String.format(Locale.ROOT, " (target %.1f%%, beta %.3g)",
                100 * config.targetUsage(), t.beta()) : "");
        if (done % LOSS_WINDOW == 0) {
            lossSum = 0;
            losses = 0;
        }
        bar.stepTo(done, msg);
    }

    @Override
    public void onLambdaRefresh(int done, int total) {
        if (done == 0) {
            refreshStart = System.nanoTime();
            bar.note(String.format(Locale.ROOT, "IEPO lambda refresh at iteration %d: %d gradient-free generations of %d"
                    + " steps ...", iteration, total, config.steps()));
        } else if (done == total) {
            bar.note(String.format(Locale.ROOT, "IEPO lambda refresh: done in %.1f s",
                    (System.nanoTime() - refreshStart) / 1e9));
        } else {
            bar.stepTo(iteration, "IEPO lambda refresh: generation " + done + "/" + total);
        }
    }
}
