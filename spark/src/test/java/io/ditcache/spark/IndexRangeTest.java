package io.ditcache.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class IndexRangeTest {
    @Test
    void splitCoversEveryIndexOnceInOrderWithAShorterLastRange() {
        assertEquals(List.of(new IndexRange(0, 5), new IndexRange(5, 10), new IndexRange(10, 13)), IndexRange.split(13, 5));
        assertEquals(List.of(new IndexRange(0, 4)), IndexRange.split(4, 32));
        assertEquals(List.of(new IndexRange(0, 2), new IndexRange(2, 4)), IndexRange.split(4, 2));
        assertEquals(1563, IndexRange.split(50_000, 32).size());
    }

    @Test
    void emptyOrNegativeRangesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IndexRange(3, 3));
        assertThrows(IllegalArgumentException.class, () -> new IndexRange(-1, 3));
        assertThrows(IllegalArgumentException.class, () -> IndexRange.split(0, 5));
        assertThrows(IllegalArgumentException.class, () -> IndexRange.split(5, 0));
    }

    @Test
    void shardNamesSayTheRange() {
        JobSpec spec = new JobSpec("default", "ddim", 4, 1.5f, List.of("none"), Double.NaN, 0, 13, 5, 5);
        SampleLayout layout = new SampleLayout(spec);
        assertEquals("samples-10-13.safetensors", layout.name(2));
        assertEquals(new IndexRange(10, 13), layout.ranges().get(2));
    }
}
