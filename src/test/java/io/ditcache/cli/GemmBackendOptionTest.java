package io.ditcache.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ditcache.tensor.GemmBackend;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code --gemm-backend} and {@code -Dditcache.gemm.backend} on the command line, with and without OpenBLAS. */
class GemmBackendOptionTest {
    @AfterEach
    void backToJava() {
        GemmBackend.use(GemmBackend.JAVA); // the option sets a process-wide backend
    }

    @Test
    void infoReportsTheOpenBlasBackend() {
        try {
            GemmBackend.use(GemmBackend.OPENBLAS);
        } catch (IllegalStateException e) {
            Assumptions.abort("OpenBLAS does not load here: " + e.getMessage());
        }
        GemmBackend.use(GemmBackend.JAVA);
        CommandLineTest.Result r = CommandLineTest.run("info", "--model", "DiT-S/2", "--gemm-backend", "openblas");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gemm             openblas backend, OpenBLAS 0.3.31"), r.out());
    }

    @Test
    void anUnknownBackendIsAUsageError() {
        CommandLineTest.Result r = CommandLineTest.run("info", "--gemm-backend", "mkl");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("ditcache info: error: ditcache.gemm.backend=mkl: no such GEMM backend; there are"
                + " java, openblas"), r.err());
    }

    /**
     * The CLI on a class path without bytedeco's jars (as the shaded jar alone), asked for openblas by the property:
     * exit 2 with the property and the jars named, before the model is read (the named file does not exist).
     */
    @Test
    void missingOpenBlasFailsBeforeTheModelLoads() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String withoutBytedeco = Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.contains("bytedeco")).collect(Collectors.joining(File.pathSeparator));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector", "-Xmx256m",
                "-D" + GemmBackend.PROPERTY + "=openblas", "-cp", withoutBytedeco, Main.class.getName(),
                "bench-forward", "--model", "no-such-model.safetensors").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished");
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("ditcache bench-forward: error: ditcache.gemm.backend=openblas: the OpenBLAS GEMM backend"
                + " cannot load (java.lang.ClassNotFoundException: org.bytedeco."), out);
        assertTrue(out.contains("put org.bytedeco:openblas:0.3.31-1.5.13 and org.bytedeco:javacpp:1.5.13 on the class path"), out);
        assertFalse(out.contains("no-such-model"), out);
    }
}
