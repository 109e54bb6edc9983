package io.ditcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ditcache.tensor.Parallel;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** Provenance comes from the jar's manifest, never from the current directory, and reads back from metadata. */
class ProvenanceTest {
    static Manifest manifest(String text) throws Exception {
        return new Manifest(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void versionAndRevisionAreTheManifestsAndUnknownWithoutOne() throws Exception {
        Provenance p = Provenance.fromManifest(manifest("Manifest-Version: 1.0\nImplementation-Version: 1.2.3\n"
                + "Git-Revision: 0123456789abcdef0123456789abcdef01234567+dirty\n\n"));
        assertEquals("1.2.3", p.version());
        assertEquals("0123456789abcdef0123456789abcdef01234567+dirty", p.revision());
        assertEquals(System.getProperty("java.version"), p.javaVersion());
        Provenance none = Provenance.fromManifest(null);
        assertEquals(Provenance.UNKNOWN, none.version());
        assertEquals(Provenance.UNKNOWN, none.revision());
        // A jar built outside a git checkout records "unknown"; an empty attribute counts as none.
        Provenance blank = Provenance.fromManifest(manifest("Manifest-Version: 1.0\nGit-Revision: \n\n"));
        assertEquals(Provenance.UNKNOWN, blank.revision());
    }

    @Test
    void currentTakesTheThreadCountAskedForOrTheProcesssOne() {
        assertEquals(3, Provenance.current(3).threads());
        assertEquals(Parallel.threads(), Provenance.current().threads());
        assertEquals(Provenance.current().version(), Provenance.current(3).version());
    }

    @Test
    void theMetadataKeysReadBackUnderTheirPrefix() {
        Provenance p = new Provenance("0.1.0", "abc", "17.0.15", 2);
        Map<String, String> m = p.toMap();
        assertEquals(List.of("library_version", "git_revision", "java_version", "threads"), List.copyOf(m.keySet()));
        assertEquals(p, Provenance.fromMetadata(m, ""));
        Map<String, String> model = p.toMap(Provenance.MODEL_PREFIX);
        assertEquals("0.1.0", model.get("ditcache.library_version"));
        assertEquals(p, Provenance.fromMetadata(model, Provenance.MODEL_PREFIX));
        assertNull(Provenance.fromMetadata(model, ""), "no key under the empty prefix");
        // A router of an earlier version recorded only the revision.
        assertEquals(new Provenance(Provenance.UNKNOWN, "aada9f6", Provenance.UNKNOWN, 0),
                Provenance.fromMetadata(Map.of("git_revision", "aada9f6", "threads", "two"), ""));
        assertEquals("ditcache 0.1.0 (git abc), Java 17.0.15, 2 threads", p.summary());
        assertEquals("ditcache unknown (git aada9f6), Java unknown, threads unknown",
                Provenance.fromMetadata(Map.of("git_revision", "aada9f6"), "").summary());
        assertEquals("ditcache 0.1.0 (git abc), Java 17.0.15, 1 thread", new Provenance("0.1.0", "abc", "17.0.15", 1).summary());
    }

    /** Sample grids (PNG tEXt chunks) and --stats JSON carry the writer's provenance and the sampling settings. */
    @Test
    void pngGridsAndStatisticsCarryTheirProvenance(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Samples s = Pipeline.load("default").sampler("ddim+clip", 3).sample(new int[] {1, 2}, 4);
        java.nio.file.Path png = dir.resolve("g.png");
        s.writePng(png);
        java.util.Map<String, String> text = new java.util.HashMap<>();
        try (javax.imageio.stream.ImageInputStream in = javax.imageio.ImageIO.createImageInputStream(png.toFile())) {
            javax.imageio.ImageReader r = javax.imageio.ImageIO.getImageReaders(in).next();
            r.setInput(in);
            org.w3c.dom.Node root = r.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            for (org.w3c.dom.Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n.getNodeName().equals("tEXt")) {
                    for (org.w3c.dom.Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                        org.w3c.dom.NamedNodeMap a = e.getAttributes();
                        text.put(a.getNamedItem("keyword").getNodeValue(), a.getNamedItem("value").getNodeValue());
                    }
                }
            }
        }
        assertEquals(s.provenance().toMap().get(Provenance.VERSION_KEY), text.get(Provenance.VERSION_KEY));
        assertEquals(s.provenance().toMap().get(Provenance.REVISION_KEY), text.get(Provenance.REVISION_KEY));
        assertEquals("4", text.get("seed"));
        assertEquals("ddim+clip", text.get("sampler"));
        java.nio.file.Path json = dir.resolve("stats.json");
        s.stats().writeJson(json, s.provenance().toMap());
        Object parsed = io.ditcache.io.Json.parse(java.nio.file.Files.readString(json));
        java.util.Map<?, ?> writtenBy = (java.util.Map<?, ?>) ((java.util.Map<?, ?>) parsed).get("written_by");
        assertEquals(s.provenance().toMap().get(Provenance.JAVA_KEY), writtenBy.get(Provenance.JAVA_KEY));
    }
}
