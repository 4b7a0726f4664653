package cyberkg.neo4j;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.importer.ImportCommand;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;

import picocli.CommandLine;

/**
 * Runs Neo4j's offline importer ({@code neo4j-admin database import full}) into the launcher's
 * database {@code neo4j}, under the same home directory LocalNeo4j serves (NEO4J_HOME_DIR), with
 * the CSV files a directory holds. The Bolt/Cypher path writes about 17,000 bare relationships a
 * second at best; the importer writes a new store directly.
 *
 * <p>The directory's {@code import.args} (written by cyberkg's Go side, package store/bulk) lists
 * the importer's input options one per line: {@code --nodes=FILE}, {@code --relationships=FILE},
 * {@code --array-delimiter=C}, {@code --multiline-fields=FILE,...}, {@code
 * --multiline-fields-format=v2}, {@code --id-type=T}. Only these are accepted; FILEs are relative
 * to the directory. The options that decide what happens to the data are this class's: no bad
 * entry is tolerated, and with string ids every relationship's ends are checked. store/bulk numbers the entities
 * and asks for {@code --id-type=ACTUAL}, under which the importer checks no ids (40% of its time
 * at 1M went to mapping string ids); its files must then match their sums in {@code
 * import.sha256} (see {@link #checkSums}).
 *
 * <p>All or nothing: without --overwrite it refuses a state that already holds a database; with
 * it, the old database is set aside, and put back if the import fails. A failed import leaves no
 * store behind. It refuses while a Neo4j runs on the same home (the store lock is held).
 *
 * <p>Environment: NEO4J_HOME_DIR (.neo4j/data), NEO4J_IMPORT_MEMORY (2g: the importer's off-heap
 * memory; its own default is 90% of the machine's), NEO4J_IMPORT_THREADS (the processors).
 */
final class OfflineImport {
    static final String DATABASE = "neo4j";
    private static final List<String> INPUT_OPTIONS = List.of(
            "--nodes=", "--relationships=", "--array-delimiter=", "--multiline-fields=",
            "--multiline-fields-format=", "--id-type=");

    private OfflineImport() {}

    /** args: [--overwrite] CSV_DIR; returns the exit status. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean overwrite = false;
        Path dir = null;
        for (String a : args) {
            if (a.equals("--overwrite")) {
                overwrite = true;
            } else if (dir == null && !a.startsWith("-")) {
                dir = Path.of(a).toAbsolutePath();
            } else {
                err.println("usage: LocalNeo4j import [--overwrite] CSV_DIR");
                return 2;
            }
        }
        if (dir == null) {
            err.println("usage: LocalNeo4j import [--overwrite] CSV_DIR");
            return 2;
        }
        Path home = Path.of(LocalNeo4j.env("NEO4J_HOME_DIR", ".neo4j/data")).toAbsolutePath();
        try {
            return importInto(home, dir, overwrite, out, err);
        } catch (IOException | IllegalArgumentException e) {
            err.println("import: " + e.getMessage());
            return 1;
        }
    }

    private static int importInto(Path home, Path dir, boolean overwrite, PrintStream out, PrintStream err)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("database", "import", "full"));
        cmd.addAll(inputOptions(dir));
        Path data = home.resolve("data");
        Path store = data.resolve("databases").resolve(DATABASE);
        Path txLogs = data.resolve("transactions").resolve(DATABASE);
        Files.createDirectories(data.resolve("databases"));
        Path aside = data.resolve("import-previous");
        try (Closeable ignored = lockStore(data)) {
            if (Files.exists(aside)) {
                err.println("import: an earlier import was interrupted; the database from before it is in " + aside
                        + ": move its databases/ and transactions/ back to " + DATABASE + " (or delete it) first");
                return 1;
            }
            boolean setAside = holdsDatabase(store) || holdsDatabase(txLogs);
            if (setAside) {
                if (!overwrite) {
                    err.println("import: " + home + " already holds a database " + DATABASE
                            + "; pass --overwrite to replace it");
                    return 1;
                }
                // Set aside rather than deleted (as the importer's --overwrite-destination
                // would), so that a failed import can put it back.
                Files.createDirectories(aside);
                moveIfExists(store, aside.resolve("databases"));
                moveIfExists(txLogs, aside.resolve("transactions"));
            }
            String memory = LocalNeo4j.env("NEO4J_IMPORT_MEMORY", "2g");
            cmd.addAll(List.of(
                    "--bad-tolerance=0", "--skip-bad-relationships=false", "--skip-duplicate-nodes=false",
                    // Non-strict lookup can miss a relationship to a missing node; we want none.
                    "--strict=true",
                    "--max-off-heap-memory=" + memory,
                    "--report-file=" + home.resolve("import.report"),
                    "--overwrite-destination=" + overwrite));
            String threads = LocalNeo4j.env("NEO4J_IMPORT_THREADS", "");
            if (!threads.isEmpty()) {
                cmd.add("--threads=" + threads);
            }
            cmd.add(DATABASE);
            int rc = runImporter(new ExecutionContext(home, home.resolve("conf"), out, err, System.in,
                    new DefaultFileSystemAbstraction()), cmd, err);
            if (rc != 0) {
                // Leave no half-written store behind, and the old one as it was.
                deleteRecursively(store);
                deleteRecursively(txLogs);
                moveIfExists(aside.resolve("databases"), store);
                moveIfExists(aside.resolve("transactions"), txLogs);
                deleteRecursively(aside);
                err.println("nothing written" + (setAside ? "; the previous database is as it was" : ""));
                return rc;
            }
            deleteRecursively(aside);
            return 0;
        }
    }

    /**
     * Runs {@code neo4j-admin database import full} in this process. neo4j-admin's own dispatch
     * (AdminTool.execute) prints only "Error importing csv file." for bad input unless --verbose,
     * which adds stack traces; so the command is parsed as neo4j-admin parses it and run here,
     * and the causes' messages are printed: "... referring to missing node zz".
     */
    private static int runImporter(ExecutionContext ctx, List<String> args, PrintStream err) {
        CommandLine.ParseResult parsed;
        try {
            parsed = AdminTool.getCommandLine(ctx).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            err.println("import: " + e.getMessage());
            return 2;
        }
        while (parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        if (!(parsed.commandSpec().userObject() instanceof ImportCommand.Full full)) {
            err.println("import: neo4j-admin has no command database import full");
            return 1;
        }
        try {
            full.execute();
            return 0;
        } catch (Exception e) {
            StringBuilder msg = new StringBuilder("import failed:");
            for (Throwable t = e; t != null; t = t.getCause()) {
                String m = t.getMessage();
                if (m != null && msg.indexOf(m) < 0) {
                    msg.append(' ').append(m);
                }
            }
            err.println(msg);
            return 1;
        }
    }

    /** The importer's input options from dir/import.args, files made absolute. */
    static List<String> inputOptions(Path dir) throws IOException {
        Path argsFile = dir.resolve("import.args");
        if (!Files.isRegularFile(argsFile)) {
            throw new IllegalArgumentException(argsFile + " not found (write the CSV files with `server import -offline-csv DIR FILE`)");
        }
        List<String> opts = new ArrayList<>();
        for (String raw : Files.readAllLines(argsFile, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String prefix = INPUT_OPTIONS.stream().filter(line::startsWith).findFirst().orElseThrow(
                    () -> new IllegalArgumentException(argsFile + ": option not allowed there: " + line));
            String value = line.substring(prefix.length());
            if (prefix.equals("--nodes=") || prefix.equals("--relationships=") || prefix.equals("--multiline-fields=")) {
                List<String> files = new ArrayList<>();
                for (String f : value.split(",")) {
                    Path p = dir.resolve(f).normalize();
                    if (!p.startsWith(dir) || !Files.isRegularFile(p)) {
                        throw new IllegalArgumentException(argsFile + ": no file " + f + " in " + dir);
                    }
                    files.add(p.toString());
                }
                value = String.join(",", files);
            }
            opts.add(prefix + value);
        }
        if (opts.stream().noneMatch(o -> o.startsWith("--nodes="))) {
            throw new IllegalArgumentException(argsFile + " names no --nodes file");
        }
        if (opts.stream().anyMatch(o -> o.equalsIgnoreCase("--id-type=ACTUAL"))) {
            checkSums(dir);
        }
        return opts;
    }

    /**
     * With --id-type=ACTUAL the importer writes each row's id as its node id and checks neither
     * duplicates nor relationships to missing nodes: a file edited after store/bulk wrote it could
     * merge two entities or leave a relationship pointing at nothing. So every file of the folder
     * must match the SHA-256 that store/bulk wrote for it in import.sha256 (sha256sum's format).
     */
    static void checkSums(Path dir) throws IOException {
        Path sums = dir.resolve("import.sha256");
        if (!Files.isRegularFile(sums)) {
            throw new IllegalArgumentException(sums + " not found: import.args asks for --id-type=ACTUAL, which only "
                    + "files written by store/bulk (`server import -offline-csv DIR FILE`) with their sums may use");
        }
        Set<String> listed = new HashSet<>();
        for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
            String[] f = line.split("  ", 2);
            if (f.length != 2 || f[0].length() != 64) {
                throw new IllegalArgumentException(sums + ": not a line of sha256sum: " + line);
            }
            Path p = dir.resolve(f[1]).normalize();
            if (!p.startsWith(dir) || !Files.isRegularFile(p)) {
                throw new IllegalArgumentException(sums + ": no file " + f[1] + " in " + dir);
            }
            if (!sha256(p).equalsIgnoreCase(f[0])) {
                throw new IllegalArgumentException(f[1] + " has changed since it was written (its SHA-256 is not the one in "
                        + sums + "); write the folder anew with `server import -offline-csv DIR FILE`");
            }
            listed.add(p.getFileName().toString());
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.equals("import.sha256") && !listed.contains(name)) {
                    throw new IllegalArgumentException(name + " is in " + dir + " but not in " + sums
                            + "; write the folder anew with `server import -offline-csv DIR FILE`");
                }
            }
        }
    }

    private static String sha256(Path p) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every Java has SHA-256
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * The DBMS lock a running Neo4j holds on its data directory: taking it here proves none runs,
     * and keeps one from starting while the import moves databases about.
     */
    private static Closeable lockStore(Path data) throws IOException {
        Path lockFile = data.resolve("databases").resolve("store_lock");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new IllegalArgumentException("a Neo4j is running on " + data.getParent() + "; stop it first (scripts/neo4j-stop)");
        }
        return ch::close; // closing the channel releases the lock
    }

    private static boolean holdsDatabase(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isPresent();
        }
    }

    private static void moveIfExists(Path from, Path to) throws IOException {
        if (Files.exists(from)) {
            Files.createDirectories(to.getParent());
            Files.move(from, to);
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
