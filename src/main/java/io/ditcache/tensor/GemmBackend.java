package io.ditcache.tensor;

import java.util.function.Supplier;

/**
 * Which implementation {@link Gemm} multiplies with: {@value #JAVA}, the Vector API kernel (the default: no native
 * code), or {@value #OPENBLAS}, OpenBLAS's {@code cblas_sgemm} through {@code org.bytedeco:openblas} ({@link
 * OpenBlasGemm}), an optional dependency that is not in the CLI jar, so that the core stays pure Java. Chosen with
 * {@code -Dditcache.gemm.backend=java|openblas} (read once, at class init) or {@link #use} (the CLI's
 * {@code --gemm-backend}). A {@link PackedWeight} keeps the backend it was packed for; other products use the current
 * one.
 *
 * <p>When openblas is asked for and its classes or native libraries are missing, the property's error is kept and
 * thrown (an {@link IllegalStateException} naming the property and the jars to add) by every GEMM and by
 * {@link #check}, which front ends call before loading a model; {@link #use} throws it at once.
 */
public final class GemmBackend {
    public static final String PROPERTY = "ditcache.gemm.backend";
    public static final String JAVA = "java";
    public static final String OPENBLAS = "openblas";
    public static final String NAMES = JAVA + ", " + OPENBLAS;
    /** The bytedeco versions the backend is built and tested with (pom.xml's openblas.version and javacpp.version). */
    static final String OPENBLAS_ARTIFACT = "org.bytedeco:openblas:0.3.31-1.5.13";
    static final String JAVACPP_ARTIFACT = "org.bytedeco:javacpp:1.5.13";
    static final String OPENBLAS_CLASS = "io.ditcache.tensor.OpenBlasGemm";

    /** A backend that works ({@code nativeGemm} null for Java), or the error of one that does not. */
    private record Choice(String name, NativeGemm nativeGemm, Supplier<RuntimeException> error) {
        static Choice failed(Supplier<RuntimeException> error) {
            return new Choice(null, null, error);
        }
    }

    private static NativeGemm openBlas;
    private static volatile Choice current = fromProperty(System.getProperty(PROPERTY));

    private GemmBackend() {
    }

    private static Choice fromProperty(String value) {
        try {
            return choose(value == null ? JAVA : value.trim(), PROPERTY + "=" + value);
        } catch (IllegalArgumentException e) {
            return Choice.failed(() -> new IllegalArgumentException(e.getMessage()));
        } catch (IllegalStateException e) {
            return Choice.failed(() -> new IllegalStateException(e.getMessage()));
        }
    }

    private static synchronized Choice choose(String name, String source) {
        switch (name) {
            case JAVA:
                return new Choice(JAVA, null, null);
            case OPENBLAS:
                if (openBlas == null) {
                    openBlas = load(OPENBLAS_CLASS, GemmBackend.class.getClassLoader(), source);
                }
                return new Choice(OPENBLAS, openBlas, null);
            default:
                throw new IllegalArgumentException(source + ": no such GEMM backend; there are " + NAMES);
        }
    }

    /**
     * The backend class {@code className} from {@code loader}, constructed; an {@link IllegalStateException} naming
     * {@code source} and what to add to the class path when its classes or natives do not load.
     */
    static NativeGemm load(String className, ClassLoader loader, String source) {
        try {
            return (NativeGemm) Class.forName(className, true, loader).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalStateException(source + ": the OpenBLAS GEMM backend cannot load (" + cause
                    + "); put " + OPENBLAS_ARTIFACT + " and " + JAVACPP_ARTIFACT + " on the class path, each with its"
                    + " natives jar for this platform (classifier e.g. linux-x86_64; README, \"Performance\", shows how,"
                    + " and DITCACHE_CLASSPATH for the ditcache launcher), or use the " + JAVA + " backend", e);
        }
    }

    /** Multiplies with {@code name} ({@value #NAMES}) from now on; throws at once if it is unknown or cannot load. */
    public static void use(String name) {
        current = choose(name, PROPERTY + "=" + name);
    }

    /** The current backend's name; throws the property's error if it named one that does not work. */
    public static String name() {
        return working().name();
    }

    /** Throws the property's error if it named a backend that does not work (before a model is loaded). */
    public static void check() {
        working();
    }

    /** The native implementation, or null for the Java kernel. */
    static NativeGemm nativeGemm() {
        return working().nativeGemm();
    }

    private static Choice working() {
        Choice c = current;
        if (c.error() != null) {
            throw c.error().get();
        }
        return c;
    }
}
