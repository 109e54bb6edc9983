package io.ditcache;

/**
 * Part {@code index} of {@code count} of a job of n samples ({@code --shard K/N}). The job is cut into batches of
 * {@code batch} samples (the last may be shorter), B = ceil(n / batch) of them; part K holds batches
 * [floor(K B / N), floor((K + 1) B / N)), so parts start on batch boundaries and together cover [0, n) once. With
 * {@link Pipeline}'s seed rule each sample's bits are then those of the unsplit run for every cache policy, even one
 * that decides per batch (first-block caching); any batch scheduler (a Slurm array, Kubernetes jobs) can run them.
 */
public record Shard(int index, int count) {
    /** The whole job as one part. */
    public static final Shard ALL = new Shard(0, 1);

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new InvalidSettingException("shard", "shard " + index + "/" + count + ": needs 0 <= K < N");
        }
    }

    /** Parses {@code K/N}, e.g. {@code 3/8}. */
    public static Shard parse(String text) {
        String t = text == null ? "" : text.trim();
        int slash = t.indexOf('/');
        try {
            if (slash > 0) {
                return new Shard(Integer.parseInt(t.substring(0, slash).trim()), Integer.parseInt(t.substring(slash + 1).trim()));
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new InvalidSettingException("shard", "shard '" + text + "': expected K/N with integers 0 <= K < N,"
                + " e.g. 0/4");
    }

    /** The first index of this part of a job of {@code n} samples in batches of one. */
    public long from(long n) {
        return from(n, 1);
    }

    /** One past the last index of this part, batches of one. */
    public long to(long n) {
        return to(n, 1);
    }

    /** The first index of this part of a job of {@code n} samples in batches of {@code batch}. */
    public long from(long n, int batch) {
        return Math.min(n, batch * Math.floorDiv(batches(n, batch) * index, count));
    }

    /** One past the last index of this part, batches of {@code batch}. */
    public long to(long n, int batch) {
        return Math.min(n, batch * Math.floorDiv(batches(n, batch) * (index + 1), count));
    }

    /** Refuses a job too small for every part to hold a batch. */
    public void checkFits(long n, int batch) {
        if (batches(n, batch) < count) {
            throw new InvalidSettingException("shard", "shard " + this + " of " + n + " samples in batches of " + batch
                    + ": every one of the " + count + " parts needs a batch; use N <= " + batches(n, batch));
        }
    }

    private static long batches(long n, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        return Math.floorDiv(n + batch - 1, batch);
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
