package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Choosing the GEMM backend: the default, switching, unknown names, and OpenBLAS missing from the class path. */
class GemmBackendTest {
    @AfterEach
    void backToJava() {
        GemmBackend.use(GemmBackend.JAVA);
    }

    @Test
    void javaIsTheDefaultAndPacksPanels() {
        assertEquals(GemmBackend.JAVA, GemmBackend.name(), "the test JVM sets no -D" + GemmBackend.PROPERTY);
        assertTrue(Gemm.settings().startsWith("java backend, tile "), Gemm.settings());
        PackedWeight w = PackedWeight.of(new float[6], 2, 3);
        assertNull(w.pinned());
        assertNotNull(w.panels());
    }

    /** A class loader that sees ditcache's classes but not bytedeco's, as the shaded CLI jar alone. */
    @Test
    void missingOpenBlasNamesThePropertyAndTheJars() throws Exception {
        URL classes = GemmBackend.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader withoutBytedeco = new URLClassLoader(new URL[]{classes}, ClassLoader.getPlatformClassLoader())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> GemmBackend.load(
                    GemmBackend.OPENBLAS_CLASS, withoutBytedeco, GemmBackend.PROPERTY + "=openblas"));
            assertTrue(e.getMessage().startsWith("ditcache.gemm.backend=openblas: the OpenBLAS GEMM backend cannot load ("
                    + "java.lang.ClassNotFoundException: org.bytedeco."), e.getMessage());
            assertTrue(e.getMessage().contains("put org.bytedeco:openblas:0.3.31-1.5.13 and org.bytedeco:javacpp:1.5.13"
                    + " on the class path"), e.getMessage());
        }
        assertEquals(GemmBackend.JAVA, GemmBackend.name());
    }

    /** The bytedeco class jars without their natives jars: the link error is reported the same way. */
    @Test
    void missingNativesAreReportedToo() throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(GemmBackend.class.getProtectionDomain().getCodeSource().getLocation());
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith("openblas-0.3.31-1.5.13.jar") || entry.endsWith("javacpp-1.5.13.jar")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        assertEquals(3, urls.size(), classPath);
        try (URLClassLoader withoutNatives = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> GemmBackend.load(
                    GemmBackend.OPENBLAS_CLASS, withoutNatives, GemmBackend.PROPERTY + "=openblas"));
            assertTrue(e.getMessage().startsWith("ditcache.gemm.backend=openblas: the OpenBLAS GEMM backend cannot load ("
                    + "java.lang.UnsatisfiedLinkError: "), e.getMessage());
        }
    }

    @Test
    void anUnknownBackendIsRefusedAndTheCurrentOneKept() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmBackend.use("mkl"));
        assertEquals("ditcache.gemm.backend=mkl: no such GEMM backend; there are java, openblas", e.getMessage());
        assertEquals(GemmBackend.JAVA, GemmBackend.name());
    }

    /** Weights packed before a switch keep their backend; products and new packs follow the switch. */
    @Test
    void switchingToOpenBlasRoutesGemmAndPinsNewWeights() {
        PackedWeight javaPacked = PackedWeight.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        GemmBackend.use(GemmBackend.OPENBLAS);
        // The bundled OpenBLAS, or a system one javacpp finds first (Debian's libopenblas0): any version.
        assertTrue(Gemm.settings().startsWith("openblas backend, OpenBLAS "), Gemm.settings());
        Random rng = new Random(31);
        int m = 40;
        int n = 21;
        int k = 9;
        float[] a = Reference.random(rng, m * k);
        float[] w = Reference.random(rng, n * k);
        PackedWeight pinned = PackedWeight.of(w, n, k);
        assertNotNull(pinned.pinned());
        assertNull(pinned.panels());
        assertEquals(4L * n * k, pinned.bytes());
        float[] c = new float[m * n];
        Gemm.matmul(a, 0, pinned, c, 0, m, false);
        double[] want = GemmTest.naive(a, 0, k, w, 0, k, c, 0, n, m, n, k, false, true, false);
        Reference.assertClose("pinned", want, c, 0, 1e-5 * Math.sqrt(k));
        org.junit.jupiter.api.Assertions.assertArrayEquals(w, pinned.unpack(), 0f, "a pinned weight unpacks exactly");
        float[] skinny = new float[2 * n]; // m <= SkinnyGemm.MAX_ROWS: the same product, through the pinned copy
        Gemm.matmul(a, 0, pinned, skinny, 0, 2, false);
        Reference.assertClose("pinned, 2 rows", GemmTest.naive(a, 0, k, w, 0, k, skinny, 0, n, 2, n, k, false, true,
                false), skinny, 0, 1e-5 * Math.sqrt(k));
        float[] y = new float[2];
        Gemm.matmul(new float[]{1, 1, 1}, 0, javaPacked, y, 0, 1, false);
        assertEquals(6f, y[0]);
        assertEquals(15f, y[1]);
    }

    @Test
    void theNamedArtifactsAreThePomVersions() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(pom.contains("<openblas.version>" + GemmBackend.OPENBLAS_ARTIFACT.split(":")[2] + "</openblas.version>"));
        assertTrue(pom.contains("<javacpp.version>" + GemmBackend.JAVACPP_ARTIFACT.split(":")[2] + "</javacpp.version>"));
    }
}
