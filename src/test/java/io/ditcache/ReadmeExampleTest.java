package io.ditcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use it from Java" block, exactly as written: compiled (its imports on top, the rest as a main method)
 * and run in a fresh JVM in a temporary directory, where it must write its grid and print its summary.
 */
class ReadmeExampleTest {
    static final String SECTION = "## Use it from Java";

    @TempDir
    Path dir;

    /** The lines of the first java block after {@link #SECTION}. */
    static List<String> example() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        int at = lines.indexOf(SECTION);
        assertTrue(at >= 0, "README.md has no '" + SECTION + "'");
        int open = lines.subList(at, lines.size()).indexOf("```java") + at;
        int close = lines.subList(open + 1, lines.size()).indexOf("```") + open + 1;
        return lines.subList(open + 1, close);
    }

    @Test
    void theReadmeExampleCompilesAndRuns() throws Exception {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : example()) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        assertTrue(body.toString().contains("Pipeline.load(\"default\")"), body.toString());
        Path source = dir.resolve("ReadmeExample.java");
        Files.writeString(source, imports + "public class ReadmeExample {\n"
                + "    public static void main(String[] args) throws Exception {\n" + body + "    }\n}\n");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests run on a JDK");
        assertEquals(0, javac.run(null, null, null, "--add-modules", "jdk.incubator.vector", "-cp", classPath,
                "-d", dir.toString(), source.toString()), "the README's example compiles");

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector", "-Xmx1g",
                "-cp", dir + File.pathSeparator + classPath, "ReadmeExample")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("cache router:dit-fmnist-harmonica-ddim10: reused "), out);
        BufferedImage grid = ImageIO.read(dir.resolve("grid.png").toFile());
        assertEquals(4 * (32 * Samples.GRID_SCALE + 2) + 2, grid.getWidth(), "four images in a row");
    }
}
