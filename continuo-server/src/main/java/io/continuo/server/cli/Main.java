package io.continuo.server.cli;

import io.continuo.server.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code continuo} command: server, push, query, export. */
@Command(name = "continuo", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Continuous profiling: run the server, push profiles, query and export them.",
        subcommands = {ServerCommand.class, PushCommand.class, QueryCommand.class, ExportCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for a server that answered with an error. */
    public static final int EXIT_SERVER_ERROR = 1;
    /** Exit code for an input file or argument that cannot be used. */
    public static final int EXIT_USAGE = 2;
    /** Exit code when the server cannot be reached. */
    public static final int EXIT_UNREACHABLE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof CliException ce) {
                cmd.getErr().println("continuo: " + ce.getMessage());
                return ce.exitCode();
            }
            cmd.getErr().println("continuo: " + e);
            return EXIT_SERVER_ERROR;
        });
        return cli.execute(args);
    }

    /** No command given: the usage goes to standard error and the exit code says it was a usage error. */
    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CliException(EXIT_USAGE, "a command is required: server, push, query or export");
    }

    /**
     * One readable line per usage error, then where to find help. An unknown option is named first: picocli
     * checks required options before unmatched ones, so {@code push --bogus x} would otherwise report the missing
     * {@code --service} and hide the typo.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String message = e.getMessage();
        if (!(e instanceof CommandLine.UnmatchedArgumentException) && !cmd.getUnmatchedArguments().isEmpty()) {
            message = "unknown option or argument: '" + String.join("', '", cmd.getUnmatchedArguments()) + "'";
        }
        cmd.getErr().println("continuo: " + message);
        cmd.getErr().println("Try 'continuo " + (cmd.getCommandSpec().parent() == null ? "" : cmd.getCommandName() + " ")
                + "--help' for the options.");
        return EXIT_USAGE;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"continuo " + Version.current()};
        }
    }
}
