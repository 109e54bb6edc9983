package io.ditcache.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A local Spark context for tests: no UI, bound to the loopback interface. */
final class LocalSpark {
    private LocalSpark() {
    }

    /** A context on {@code master} ({@code local[2]}; {@code local[2,2]}: a failed task is tried once more). */
    static JavaSparkContext start(String master) {
        return start(master, 1);
    }

    /** A context on {@code master} whose tasks take {@code taskCpus} cores each ({@code spark.task.cpus}). */
    static JavaSparkContext start(String master, int taskCpus) {
        return new JavaSparkContext(new SparkConf().setMaster(master).setAppName("ditcache-spark test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1").set("spark.task.cpus", Integer.toString(taskCpus)));
    }
}
