package io.ditcache;

import io.ditcache.tensor.Parallel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * What produced a file: the library's version and the git revision it was built from, the Java version and the
 * worker thread count. Every file ditcache writes (routers, models, samples, eval reports) records it, and
 * {@code ditcache info} prints it back.
 * <p>
 * Version and revision come from the manifest of the jar this class was loaded from ({@code Implementation-Version},
 * {@code Git-Revision}, written by the build: {@code git rev-parse HEAD} of the tree built, with {@code +dirty} when
 * tracked files had uncommitted changes), never from the current directory at run time, which may be another
 * checkout or none. Run from a class directory (tests, an IDE) or from a jar built outside a git checkout, they are
 * {@value #UNKNOWN}.
 *
 * @param version     the library version ({@code 0.1.0-SNAPSHOT}), or {@value #UNKNOWN}
 * @param revision    the git commit the library was built from, or {@value #UNKNOWN}
 * @param javaVersion the running Java's version ({@code java.version})
 * @param threads     the worker threads of the computation recorded
 */
public record Provenance(String version, String revision, String javaVersion, int threads) {
    /** The value of a field that nothing recorded. */
    public static final String UNKNOWN = "unknown";
    /** The manifest attribute of the git revision (set by the build, see pom.xml). */
    public static final String REVISION_ATTRIBUTE = "Git-Revision";

    /**
     * The prefix of the keys in a model's safetensors metadata ({@code ditcache.library_version}, ..., next to
     * {@code ditcache.config.*}); routers keep them under {@code provenance.}, samples without a prefix.
     */
    public static final String MODEL_PREFIX = "ditcache.";

    /** The metadata key of {@link #version}. */
    public static final String VERSION_KEY = "library_version";
    /** The metadata key of {@link #revision} (as routers of earlier versions recorded it). */
    public static final String REVISION_KEY = "git_revision";
    /** The metadata key of {@link #javaVersion}. */
    public static final String JAVA_KEY = "java_version";
    /** The metadata key of {@link #threads}. */
    public static final String THREADS_KEY = "threads";

    /** Version and revision of the running library, read once. */
    private static final Provenance BUILD = fromManifest(ownManifest());

    public Provenance {
        if (version == null || revision == null || javaVersion == null) {
            throw new NullPointerException("version, revision and javaVersion must be given (or " + UNKNOWN + ")");
        }
    }

    /** The running library, Java and the process-wide thread count ({@link Parallel#threads()}) at this moment. */
    public static Provenance current() {
        return current(Parallel.threads());
    }

    /** The running library and Java, computing on {@code threads} threads (e.g. a pipeline's own count). */
    public static Provenance current(int threads) {
        return new Provenance(BUILD.version, BUILD.revision, BUILD.javaVersion, threads);
    }

    /** Version and revision as {@code manifest} records them ({@value #UNKNOWN} where it does not, or is null). */
    static Provenance fromManifest(Manifest manifest) {
        Attributes a = manifest == null ? new Attributes() : manifest.getMainAttributes();
        return new Provenance(orUnknown(a.getValue(Attributes.Name.IMPLEMENTATION_VERSION)),
                orUnknown(a.getValue(REVISION_ATTRIBUTE)), orUnknown(System.getProperty("java.version")), 0);
    }

    /**
     * The fields as metadata entries: {@value #VERSION_KEY}, {@value #REVISION_KEY}, {@value #JAVA_KEY},
     * {@value #THREADS_KEY}, in that order (a mutable map).
     */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(VERSION_KEY, version);
        m.put(REVISION_KEY, revision);
        m.put(JAVA_KEY, javaVersion);
        m.put(THREADS_KEY, Integer.toString(threads));
        return m;
    }

    /** {@link #toMap()} with each key prefixed by {@code prefix} (e.g. {@code ditcache.} in a model's metadata). */
    public Map<String, String> toMap(String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        toMap().forEach((k, v) -> m.put(prefix + k, v));
        return m;
    }

    /**
     * The provenance that metadata written with {@link #toMap(String)} records, or null when it records none of the
     * keys (a file of another program, or of a ditcache before 0.1.0); a field it lacks is {@value #UNKNOWN}, a thread
     * count it lacks or that is no positive integer 0.
     */
    public static Provenance fromMetadata(Map<String, String> metadata, String prefix) {
        String v = metadata.get(prefix + VERSION_KEY);
        String r = metadata.get(prefix + REVISION_KEY);
        String j = metadata.get(prefix + JAVA_KEY);
        String t = metadata.get(prefix + THREADS_KEY);
        if (v == null && r == null && j == null && t == null) {
            return null;
        }
        int threads = 0;
        try {
            threads = t == null ? 0 : Math.max(0, Integer.parseInt(t.trim()));
        } catch (NumberFormatException e) {
            threads = 0;
        }
        return new Provenance(orUnknown(v), orUnknown(r), orUnknown(j), threads);
    }

    /**
     * One line: {@code ditcache 0.1.0-SNAPSHOT (git 3df1117...), Java 17.0.15, 2 threads} (a thread count of 0, not
     * recorded, reads {@code threads unknown}).
     */
    public String summary() {
        return String.format(Locale.ROOT, "ditcache %s (git %s), Java %s, %s", version, revision, javaVersion,
                threads == 0 ? "threads " + UNKNOWN : threads + (threads == 1 ? " thread" : " threads"));
    }

    /** {@code ditcache VERSION (git REVISION)}: what {@code ditcache --version} prints. */
    public static String libraryVersion() {
        return "ditcache " + BUILD.version + " (git " + BUILD.revision + ")";
    }

    private static String orUnknown(String v) {
        return v == null || v.isBlank() ? UNKNOWN : v.trim();
    }

    /**
     * The manifest of the jar holding this class, or null (a class directory has none that belongs to it): found
     * next to this class's own resource, so that other jars' manifests on the class path are never read.
     */
    private static Manifest ownManifest() {
        URL self = Provenance.class.getResource(Provenance.class.getSimpleName() + ".class");
        if (self == null || !"jar".equals(self.getProtocol())) {
            return null;
        }
        String url = self.toString();
        int bang = url.indexOf("!/");
        if (bang < 0) {
            return null;
        }
        try (InputStream in = new URL(url.substring(0, bang + 2) + "META-INF/MANIFEST.MF").openStream()) {
            return new Manifest(in);
        } catch (IOException e) {
            return null;
        }
    }
}
