package io.ditcache.cli;

import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr with rate and ETA for the command line's long loops (sampling steps, training
 * iterations). Closing it prints the final state on its own line.
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    Progress(String task, long total, String unit) {
        this.bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(500)
                .continuousUpdate()
                .build();
    }

    void stepTo(long done, String message) {
        bar.stepTo(done);
        if (message != null) {
            bar.setExtraMessage(message);
        }
    }

    @Override
    public void close() {
        bar.close();
    }
}
