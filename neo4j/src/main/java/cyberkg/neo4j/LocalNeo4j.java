package cyberkg.neo4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.Transaction;
import org.neo4j.io.ByteUnit;

/**
 * Runs an embedded Neo4j Community DBMS with a Bolt connector on 127.0.0.1 until SIGTERM/SIGINT.
 *
 * <p>Environment: NEO4J_HOME_DIR (default ./.neo4j/data), NEO4J_BOLT_PORT (7687),
 * NEO4J_PASSWORD (required: the password of user neo4j; scripts/neo4j-start makes a random one),
 * NEO4J_PAGECACHE (1g), NEO4J_TX_MEMORY (1g, all transactions), NEO4J_TX_MAX_MEMORY (512m, one
 * transaction), NEO4J_TX_TIMEOUT (30s).
 *
 * <p>{@code LocalNeo4j import [--overwrite] CSV_DIR} instead writes the database from CSV files with
 * Neo4j's offline importer, while no Neo4j runs on that home (see {@link OfflineImport}).
 *
 * <p>Neo4j 5.26's Bolt connector also answers WebSocket upgrades and has no setting to refuse
 * them, so a web page could open one to this port; what keeps it out is the password, which is
 * random, never published and readable only by its owner.
 */
public final class LocalNeo4j {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("import")) {
            System.exit(OfflineImport.run(List.of(args).subList(1, args.length), System.out, System.err));
        }
        Path home = Path.of(env("NEO4J_HOME_DIR", ".neo4j/data")).toAbsolutePath();
        int port = Integer.parseInt(env("NEO4J_BOLT_PORT", "7687"));
        String password = env("NEO4J_PASSWORD", "");
        if (password.isEmpty()) {
            System.err.println("neo4j: NEO4J_PASSWORD is not set (scripts/neo4j-start sets a random one)");
            System.exit(2);
        }

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                // Routing tables (neo4j:// URIs) hand this address back to drivers.
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(env("NEO4J_PAGECACHE", "1g")))
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size,
                        ByteUnit.parse(env("NEO4J_TX_MEMORY", "1g")))
                // A runaway query is stopped by the database itself, whatever the client does.
                .setConfig(GraphDatabaseSettings.transaction_timeout,
                        Duration.parse("PT" + env("NEO4J_TX_TIMEOUT", "30s").toUpperCase()))
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size,
                        ByteUnit.parse(env("NEO4J_TX_MAX_MEMORY", "512m")))
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Otherwise every database reserves 256 MiB of transaction log on disk up front.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // Defaults wait 5 s + 5 s for Bolt threads/connections on shutdown; the data is
                // already checkpointed by then, so don't make every stop take 10 s.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j shutting down");
            dbms.shutdown();
            System.out.println("neo4j stopped");
            stopped.countDown();
        }, "neo4j-shutdown"));

        try {
            setPassword(dbms, password);
        } catch (RuntimeException e) {
            System.err.println("neo4j: cannot set password for user neo4j: " + e.getMessage());
            System.exit(1);
        }

        System.out.println("neo4j ready bolt://" + HOST + ":" + port);
        stopped.await();
    }

    /** Gives user neo4j the wanted password, without "change required", on every start. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            // Its own timeout: on a busy machine the first start can take longer than
            // the one every client transaction gets.
            try (Transaction tx = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
                    .beginTx(5, TimeUnit.MINUTES)) {
                tx.execute("ALTER USER neo4j SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password)).close();
                tx.commit();
            }
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to the one it already has: nothing to do then.
            String msg = String.valueOf(e.getMessage());
            if (!msg.contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
