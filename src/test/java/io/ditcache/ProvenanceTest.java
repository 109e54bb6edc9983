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
}
