package io.ditcache.eval;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Fréchet distance between Gaussians N(mu1, S1) and N(mu2, S2):
 * {@code |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr sqrt(S1 S2)} (the formula behind FID).
 *
 * <p>{@code tr sqrt(S1 S2)} is computed without a general matrix square root: S1 S2 is similar to the symmetric
 * PSD matrix {@code sqrt(S1) S2 sqrt(S1)}, so it is the sum of the square roots of that matrix's eigenvalues.
 * Both steps use EJML's symmetric eigendecomposition; eigenvalues within rounding noise of zero (or below it) count
 * as zero, and a final distance below zero is clamped to zero.
 */
public final class FrechetDistance {
    private FrechetDistance() {
    }

    public static double between(FeatureStatistics a, FeatureStatistics b) {
        return compute(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    public static double compute(double[] mu1, double[][] s1, double[] mu2, double[][] s2) {
        int d = mu1.length;
        if (mu2.length != d || s1.length != d || s2.length != d) {
            throw new IllegalArgumentException("Fréchet distance needs matching dimensions: mu1 " + mu1.length
                    + ", S1 " + s1.length + ", mu2 " + mu2.length + ", S2 " + s2.length);
        }
        DMatrixRMaj a = symmetric(s1, "S1");
        DMatrixRMaj b = symmetric(s2, "S2");
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = mu1[i] - mu2[i];
            meanTerm += diff * diff;
        }
        double traces = 0;
        for (int i = 0; i < d; i++) {
            traces += s1[i][i] + s2[i][i];
        }
        return Math.max(0, meanTerm + traces - 2 * traceSqrtProduct(a, b));
    }

    /**
     * {@code tr sqrt(S1 S2)} for symmetric PSD S1, S2, as the sum of sqrt(eigenvalues of sqrt(S1) S2 sqrt(S1)).
     * Exactly singular covariances are handled (eigenvalues within rounding noise of zero count as zero); eigenvalues just above the noise floor
     * still lose about half their digits, as with any matrix square root.
     */
    public static double traceSqrtProduct(double[][] s1, double[][] s2) {
        return traceSqrtProduct(symmetric(s1, "S1"), symmetric(s2, "S2"));
    }

    private static double traceSqrtProduct(DMatrixRMaj s1, DMatrixRMaj b) {
        DMatrixRMaj root = symmetricSqrt(s1);
        DMatrixRMaj tmp = new DMatrixRMaj(b.numRows, b.numCols);
        DMatrixRMaj m = new DMatrixRMaj(b.numRows, b.numCols);
        CommonOps_DDRM.mult(root, b, tmp);
        CommonOps_DDRM.mult(tmp, root, m);
        symmetrizeInPlace(m);
        double[] values = eigen(m, false, "sqrt(S1) S2 sqrt(S1)").values;
        double floor = noiseFloor(values);
        double sum = 0;
        for (double lambda : values) {
            sum += lambda > floor ? Math.sqrt(lambda) : 0;
        }
        return sum;
    }

    /** {@code V sqrt(max(L, 0)) V^T} for a symmetric matrix with eigendecomposition {@code V L V^T}. */
    static DMatrixRMaj symmetricSqrt(DMatrixRMaj s) {
        Eigen e = eigen(s, true, "S1");
        int d = s.numRows;
        double floor = noiseFloor(e.values);
        DMatrixRMaj out = new DMatrixRMaj(d, d);
        for (int k = 0; k < d; k++) {
            if (e.values[k] <= floor) {
                continue;
            }
            double r = Math.sqrt(e.values[k]);
            DMatrixRMaj v = e.vectors[k];
            for (int i = 0; i < d; i++) {
                double vi = r * v.data[i];
                for (int j = 0; j < d; j++) {
                    out.data[i * d + j] += vi * v.data[j];
                }
            }
        }
        return out;
    }

    /**
     * Eigenvalues at or below {@code d * eps * max|lambda|} are rounding noise around zero (or negative): they are
     * treated as zero, so exactly singular covariances (fewer samples than features) do not feed
     * sqrt(noise) ~ 1e-8 into the result.
     */
    private static double noiseFloor(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return values.length * Math.ulp(1.0) * max;
    }

    private record Eigen(double[] values, DMatrixRMaj[] vectors) {
    }

    private static Eigen eigen(DMatrixRMaj m, boolean vectors, String what) {
        int d = m.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, vectors, true);
        if (!eig.decompose(m.copy())) {
            throw new IllegalStateException("symmetric eigendecomposition of " + what + " (" + d + " x " + d + ") failed");
        }
        double[] values = new double[d];
        DMatrixRMaj[] vecs = new DMatrixRMaj[d];
        for (int k = 0; k < d; k++) {
            values[k] = eig.getEigenvalue(k).real;
            if (vectors) {
                vecs[k] = eig.getEigenVector(k);
            }
        }
        return new Eigen(values, vecs);
    }

    /** Copies a square matrix, checking it is finite and square, and symmetrizes away rounding asymmetry. */
    private static DMatrixRMaj symmetric(double[][] s, String what) {
        int d = s.length;
        DMatrixRMaj m = new DMatrixRMaj(d, d);
        for (int i = 0; i < d; i++) {
            if (s[i].length != d) {
                throw new IllegalArgumentException(what + " is not square: row " + i + " has " + s[i].length + " entries, expected " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(s[i][j])) {
                    throw new IllegalArgumentException(what + "[" + i + "][" + j + "] is " + s[i][j]);
                }
                m.data[i * d + j] = s[i][j];
            }
        }
        symmetrizeInPlace(m);
        return m;
    }

    private static void symmetrizeInPlace(DMatrixRMaj m) {
        int d = m.numRows;
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                double v = 0.5 * (m.data[i * d + j] + m.data[j * d + i]);
                m.data[i * d + j] = v;
                m.data[j * d + i] = v;
            }
        }
    }
}
