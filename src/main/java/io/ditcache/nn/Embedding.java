package io.ditcache.nn;

/** A lookup table (DiT's LabelEmbedder, whose last row is the null class used by label dropout and CFG). */
public final class Embedding {
    private Embedding() {
    }

    /** table [rows, d], ids [batch]: out[b, :] += table[ids[b], :]. */
    public static void addInto(float[] table, int[] ids, int d, float[] out) {
        for (int b = 0; b < ids.length; b++) {
            for (int j = 0; j < d; j++) {
                out[b * d + j] += table[ids[b] * d + j];
            }
        }
    }

    /** dOut [batch, d]: dTable[ids[b], :] += dOut[b, :] (rows hit twice accumulate). */
    public static void backward(float[] dOut, int[] ids, int d, float[] dTable) {
        for (int b = 0; b < ids.length; b++) {
            for (int j = 0; j < d; j++) {
                dTable[ids[b] * d + j] += dOut[b * d + j];
            }
        }
    }
}
