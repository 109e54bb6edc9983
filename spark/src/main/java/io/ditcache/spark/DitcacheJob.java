package io.ditcache.spark;

import io.ditcache.InvalidSettingException;
import io.ditcache.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Spark job: {@code spark-submit --class io.ditcache.spark.DitcacheJob ditcache-spark.jar sample|eval ...}
 * (docs/spark.md). Bad options or files end it with exit status 2 and a message naming the flag, before any task.
 */
@Command(name = "ditcache-spark", mixinStandardHelpOptions = true, versionProvider = DitcacheJob.Version.class,
        description = "DiT sampling and evaluation with ditcache, sharded across an Apache Spark cluster.")
public final class DitcacheJob implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        JavaSparkContext[] made = {null};
        SparkConf conf = new SparkConf().setAppName("ditcache-spark " + String.join(" ", args));
        int status;
        try {
            status = run(args, () -> made[0] != null ? made[0] : (made[0] = new JavaSparkContext(conf)));
        } finally {
            if (made[0] != null) {
                made[0].stop();
            }
        }
        System.exit(status);
    }

    /** Runs the job {@code args} name on the context {@code spark} gives (asked for only once the options are checked). */
    public static int run(String[] args, Supplier<JavaSparkContext> spark) {
        CommandLine cl = new CommandLine(new DitcacheJob());
        cl.addSubcommand(new SampleJob(spark));
        cl.addSubcommand(new EvalJob(spark));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IOException || ex instanceof UncheckedIOException
                    || ex instanceof IllegalStateException) {
                cmd.getErr().println("ditcache-spark " + cmd.getCommandName() + ": error: " + message(ex));
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    /** The library names its settings ("steps must be ..."), the command line its flags ("--steps must be ..."). */
    private static String message(Exception ex) {
        if (ex instanceof InvalidSettingException s && s.getMessage().startsWith(s.setting())) {
            return "--" + s.setting().replace(' ', '-') + s.getMessage().substring(s.setting().length());
        }
        return ex.getMessage();
    }

    /** Bare {@code ditcache-spark}: a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("ditcache-spark: a command is required (sample or eval)");
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ditcache-spark on ditcache " + Provenance.libraryVersion()};
        }
    }
}
