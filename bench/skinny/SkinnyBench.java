package io.ditcache.tensor;
/** adaLN-shaped few-row products: the old path (unpack W, dot products) vs the new (packed panels in place), alternated. */
public class SkinnyBench {
  public static void main(String[] args) {
    int m = Integer.parseInt(args[0]), k = Integer.parseInt(args[1]), n = Integer.parseInt(args[2]); int reps = Integer.parseInt(args[3]);
    java.util.Random r = new java.util.Random(1);
    float[] w = new float[n * k]; for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
    float[] a = new float[m * k]; for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
    PackedWeight pw = PackedWeight.of(w, n, k);
    float[] c1 = new float[m * n], c2 = new float[m * n];
    long[] old = new long[reps], neu = new long[reps];
    for (int warm = 0; warm < 20; warm++) { OldSkinny.matmul(a, 0, k, w, 0, k, c1, 0, n, m, n, k, false, true, false); Gemm.matmul(a, 0, pw, c2, 0, m, false); }
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime(); OldSkinny.matmul(a, 0, k, w, 0, k, c1, 0, n, m, n, k, false, true, false); long t1 = System.nanoTime();
      Gemm.matmul(a, 0, pw, c2, 0, m, false); long t2 = System.nanoTime();
      old[i] = t1 - t0; neu[i] = t2 - t1;
    }
    java.util.Arrays.sort(old); java.util.Arrays.sort(neu);
    double maxDiff = 0; for (int i = 0; i < c1.length; i++) maxDiff = Math.max(maxDiff, Math.abs(c1[i] - c2[i]));
    System.out.printf(java.util.Locale.ROOT, "m %d k %d n %d threads %d: old (dot products on the plain W) median %.2f ms min %.2f; new (panels in place) median %.2f ms min %.2f; new/old median %.3f; max |diff| %.2e%n",
        m, k, n, Parallel.threads(), old[reps/2]/1e6, old[0]/1e6, neu[reps/2]/1e6, neu[0]/1e6, (double) neu[reps/2]/old[reps/2], maxDiff);
  }
}
