package cyberkg.neo4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs an embedded Neo4j Community DBMS with a Bolt connector on 127.0.0.1 until SIGTERM/SIGINT.
 *
 * <p>Environment: NEO4J_HOME_DIR (default ./.neo4j/data), NEO4J_BOLT_PORT (7687),
 * NEO4J_PASSWORD (localpassword, user neo4j), NEO4J_PAGECACHE (1g), NEO4J_TX_MEMORY (1g).
 */
public final class LocalNeo4j {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws InterruptedException {
        Path home = Path.of(env("NEO4J_HOME_DIR", ".neo4j/data")).toAbsolutePath();
        int port = Integer.parseInt(env("NEO4J_BOLT_PORT", "7687"));
        String password = env("NEO4J_PASSWORD", "localpassword");

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
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password));
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to the one it already has: nothing to do then.
            String msg = String.valueOf(e.getMessage());
            if (!msg.contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
