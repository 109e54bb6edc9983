package io.ditcache.cli;

import io.ditcache.InvalidSettingException;
import io.ditcache.Provenance;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ditcache} command line: one subcommand per job. */
@Command(name = "ditcache", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Fast Diffusion Transformer sampling in pure Java with learned feature caching.",
        subcommands = {DemoCommand.class, InfoCommand.class, SampleCommand.class, DecodeCommand.class, EvalCommand.class, EvalMergeCommand.class, ParetoCommand.class, TrainRouterCommand.class, ImportRouterCommand.class, TrainClassifierCommand.class, TrainModelCommand.class, BenchForwardCommand.class, CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code ditcache --version}: the version and git revision the jar was built from ({@link Provenance}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            // The launcher may pick a newer JDK than the java on PATH: say which one runs.
            return new String[] {Provenance.libraryVersion(), "Java " + System.getProperty("java.version") + " ("
                    + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home")};
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // Every float or double option of every command: NaN and infinities are refused at parse time (exit 2, the
        // option named), so that e.g. --cfg Infinity cannot produce black images with exit status 0.
        cl.registerConverter(Double.class, Main::finiteDouble);
        cl.registerConverter(double.class, Main::finiteDouble);
        cl.registerConverter(Float.class, Main::finiteFloat);
        cl.registerConverter(float.class, Main::finiteFloat);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof IllegalStateException || ex instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("ditcache " + cmd.getCommandName() + ": error: " + message(ex, cmd));
                if (System.getenv("DITCACHE_DEBUG") != null) {
                    ex.printStackTrace(cmd.getErr());
                }
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /**
     * The error's message; a library setting that the command has an option for is named by the option: "steps must
     * be ..." becomes "--steps must be ..." (the library speaks of its settings, the command line of its flags).
     */
    static String message(Exception ex, CommandLine cmd) {
        if (ex instanceof InvalidSettingException s) {
            String flag = "--" + s.setting().replace(' ', '-');
            if (cmd.getCommandSpec().findOption(flag) != null) {
                return flag + s.getMessage().substring(s.setting().length());
            }
        }
        return ex.getMessage();
    }

    static double finiteDouble(String text) {
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
        }
        return checkFinite(text, v);
    }

    static float finiteFloat(String text) {
        float v;
        try {
            v = Float.parseFloat(text.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
        }
        return (float) checkFinite(text, v);
    }

    private static double checkFinite(String text, double v) {
        if (!Double.isFinite(v)) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a finite number"
                    + (text.trim().matches("[-+]?(NaN|Infinity)") ? "" : " (out of range)"));
        }
        return v;
    }

    /** Bare {@code ditcache}: no command was given, which is a usage error (exit 2), with the usage on stderr. */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("ditcache: a command is required");
        cl.usage(cl.getErr());
        return 2;
    }
}
