package io.ditcache.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheSizesTest {
    private static void index(Path dir, int i, int level, String type, String size, String cpus) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
        Files.writeString(d.resolve("shared_cpu_list"), cpus + "\n");
    }

    @Test
    void readsLinuxCacheDescriptions(@TempDir Path dir) throws IOException {
        index(dir, 0, 1, "Data", "32K", "0");
        index(dir, 1, 1, "Instruction", "64K", "0");
        index(dir, 2, 2, "Unified", "512K", "0");
        index(dir, 3, 3, "Unified", "16384K", "0-1");
        CacheSizes c = CacheSizes.read(dir);
        assertEquals(new CacheSizes(32 << 10, 512 << 10, 8 << 20, dir.toString()), c);
        assertEquals("L1d 32 KiB, L2 512 KiB, L3 8 MiB per cpu (" + dir + ")", c.toString());
    }

    @Test
    void missingLevelsTakeTheDefaults(@TempDir Path dir) throws IOException {
        assertEquals(CacheSizes.DEFAULTS, CacheSizes.read(dir.resolve("absent")));
        assertEquals(CacheSizes.DEFAULTS, CacheSizes.read(dir));
        index(dir, 0, 1, "Data", "48K", "0");
        index(dir, 2, 2, "Unified", "2M", "0");
        assertEquals(new CacheSizes(48 << 10, 2 << 20, CacheSizes.DEFAULTS.l3(), dir + ", the rest defaults"), CacheSizes.read(dir));
        Files.writeString(dir.resolve("index0/size"), "lots\n");
        assertEquals(CacheSizes.DEFAULTS, CacheSizes.read(dir));
    }

    @Test
    void parsesSizesAndCpuLists() {
        assertEquals(32 << 10, CacheSizes.bytes("32K"));
        assertEquals(1 << 20, CacheSizes.bytes("1M"));
        assertEquals(4096, CacheSizes.bytes("4096"));
        assertEquals(1, CacheSizes.cpus("3"));
        assertEquals(6, CacheSizes.cpus("0,2,4-7"));
    }
}
