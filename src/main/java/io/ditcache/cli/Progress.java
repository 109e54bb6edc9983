package io.ditcache.cli;

import java.time.temporal.ChronoUnit;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of the command line's long loops (sampling steps, training iterations) on stderr, with rate and ETA.
 * On a terminal it is a live bar; when stderr is a file or pipe (CI logs) it prints a plain line every 10% or
 * every 30 seconds instead of a stream of carriage returns.
 */
final class Progress implements AutoCloseable {
    private boolean closed;
    private final ProgressBar bar;
    private final String task;
    private final long total;
    private final String unit;
    private final long start = System.nanoTime();
    private long lastLine = System.nanoTime();
    private long lastDecile = -1;
    /** Work already done when this run began (a resumed job): excluded from the rate. */
    private final long startedAt;
    private long done;
    private String message = "";

    Progress(String task, long total, String unit) {
        this(task, total, unit, 0);
    }

    /** A bar for a job resumed with {@code startedAt} of {@code total} already done. */
    Progress(String task, long total, String unit, long startedAt) {
        this.task = task;
        this.total = Math.max(1, total);
        this.unit = unit;
        this.startedAt = startedAt;
        this.done = startedAt;
        this.bar = System.console() == null ? null : new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(500)
                .startsFrom(startedAt, java.time.Duration.ZERO)
                .build();
    }

    void stepTo(long now, String extra) {
        done = now;
        if (extra != null) {
            message = extra;
        }
        if (bar != null) {
            bar.stepTo(now);
            if (extra != null) {
                bar.setExtraMessage(" " + extra);
            }
            return;
        }
        long decile = now * 10 / total;
        long t = System.nanoTime();
        if (decile != lastDecile || t - lastLine > 30_000_000_000L) {
            lastDecile = decile;
            lastLine = t;
            printLine();
        }
    }

    /** Says {@code what} at once: as the live bar's message, or (in a log) as a line of its own. */
    void note(String what) {
        if (bar != null) {
            message = what;
            bar.setExtraMessage(" " + what);
        } else {
            lastLine = System.nanoTime();
            System.err.println(task + ": " + what);
        }
    }

    private void printLine() {
        double secs = (System.nanoTime() - start) / 1e9;
        double rate = (done - startedAt) / Math.max(secs, 1e-9);
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        System.err.printf(Locale.ROOT, "%s %3d%% %d/%d %s, %.2f %s/s, elapsed %s, ETA %s %s%n", task, done * 100 / total,
                done, total, unit, rate, unit, clock(secs), Double.isNaN(eta) ? "?" : clock(eta), message);
    }

    private static String clock(double secs) {
        long s = Math.round(secs);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** Announces a phase without a natural count (loading, packing, set-up) on stderr: a line before it, one after. */
    static Phase phase(String what) {
        return new Phase(what);
    }

    /** A phase announced by {@link #phase}; {@link #done} prints how long it took. */
    static final class Phase {
        private final String what;
        private final long t0 = System.nanoTime();

        private Phase(String what) {
            this.what = what;
            System.err.println(what + " ...");
        }

        void done() {
            System.err.printf(Locale.ROOT, "%s: done in %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Ends the bar; later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (bar != null) {
            bar.close();
        } else if (lastDecile != 10) {
            printLine();
        }
    }
}
