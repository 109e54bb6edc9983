package io.ditcache.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The data caches {@link GemmConfig} sizes its blocks for: L1d and L2 of one core, and the share of L3 per cpu that
 * shares it (its size over the cpus in {@code shared_cpu_list}). Read from Linux's
 * {@code /sys/devices/system/cpu/cpu0/cache/index*}; a level that is not found there keeps its default.
 *
 * @param source where the sizes came from, for reports
 */
record CacheSizes(long l1d, long l2, long l3, String source) {
    /** Where Linux describes cpu0's caches. */
    static final Path SYS = Path.of("/sys/devices/system/cpu/cpu0/cache");
    /** Used where the system does not tell: a common x86 server core (2 MiB of L3 per cpu is on the small side). */
    static final CacheSizes DEFAULTS = new CacheSizes(32 << 10, 512 << 10, 2 << 20, "defaults");

    /** The sizes under {@code dir} (laid out as {@link #SYS}), each missing level taken from {@link #DEFAULTS}. */
    static CacheSizes read(Path dir) {
        long[] found = new long[4];
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path index : entries.filter(p -> p.getFileName().toString().startsWith("index")).toList()) {
                int level = Integer.parseInt(text(index, "level"));
                if (level >= 1 && level <= 3 && !text(index, "type").equals("Instruction")) {
                    found[level] = bytes(text(index, "size")) / (level == 3 ? cpus(text(index, "shared_cpu_list")) : 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            return DEFAULTS; // no such directory (not Linux), or a file that does not read as expected
        }
        boolean all = found[1] > 0 && found[2] > 0 && found[3] > 0;
        boolean none = found[1] == 0 && found[2] == 0 && found[3] == 0;
        return none ? DEFAULTS : new CacheSizes(found[1] > 0 ? found[1] : DEFAULTS.l1d, found[2] > 0 ? found[2] : DEFAULTS.l2,
                found[3] > 0 ? found[3] : DEFAULTS.l3, all ? dir.toString() : dir + ", the rest defaults");
    }

    private static String text(Path index, String name) {
        try {
            return Files.readString(index.resolve(name)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "32K", "1M", "16384K" or a plain byte count. */
    static long bytes(String size) {
        char unit = Character.toUpperCase(size.charAt(size.length() - 1));
        int shift = unit == 'K' ? 10 : unit == 'M' ? 20 : unit == 'G' ? 30 : 0;
        return Long.parseLong(shift == 0 ? size : size.substring(0, size.length() - 1)) << shift;
    }

    /** The number of cpus in a list such as "0-1" or "0,2,4-7". */
    static int cpus(String list) {
        int n = 0;
        for (String range : list.split(",")) {
            int dash = range.indexOf('-');
            n += dash < 0 ? 1 : Integer.parseInt(range.substring(dash + 1)) - Integer.parseInt(range.substring(0, dash)) + 1;
        }
        return Math.max(1, n);
    }

    @Override
    public String toString() {
        return "L1d " + kib(l1d) + ", L2 " + kib(l2) + ", L3 " + kib(l3) + " per cpu (" + source + ")";
    }

    private static String kib(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
