package tech.plumeintel.shuzhi.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where everything listens and keeps its data. Defaults are the contract's ports; each can be set
 * with {@code --name=value}.
 */
record LocalOptions(
    int apiPort,
    int apiManagementPort,
    int fetchWorkerPort,
    int chatWorkerPort,
    int kafkaPort,
    int kafkaControllerPort,
    int redisPort,
    int mongoPort,
    Path dataDir,
    Duration startupTimeout) {

  static final String USAGE =
      """
      Usage: ./local/run [--name=value ...]
        --api-port=8080              api-service HTTP (the mini-program's API)
        --api-management-port=8090   api-service health and metrics
        --fetch-worker-port=8081     fetch-worker health and metrics
        --chat-worker-port=8082      chat-worker health and metrics
        --kafka-port=9092            Kafka broker
        --kafka-controller-port=9093 Kafka KRaft controller
        --redis-port=6379            Redis
        --mongo-port=27017           Mongo-wire store
        --data-dir=local/data        Mongo data, Kafka log, the dev JWT secret
        --startup-timeout=180        seconds to wait for every service to report UP
      """;

  static LocalOptions parse(String... args) {
    var values = new LinkedHashMap<String, String>();
    for (var arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("Unknown argument '" + arg + "'.\n" + USAGE);
      }
      int eq = arg.indexOf('=');
      values.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    var options =
        new LocalOptions(
            port(values, "api-port", 8080),
            port(values, "api-management-port", 8090),
            port(values, "fetch-worker-port", 8081),
            port(values, "chat-worker-port", 8082),
            port(values, "kafka-port", 9092),
            port(values, "kafka-controller-port", 9093),
            port(values, "redis-port", 6379),
            port(values, "mongo-port", 27017),
            Path.of(values.getOrDefault("data-dir", "local/data")).toAbsolutePath().normalize(),
            Duration.ofSeconds(Long.parseLong(values.getOrDefault("startup-timeout", "180"))));
    values
        .keySet()
        .removeAll(
            Set.of(
                "api-port",
                "api-management-port",
                "fetch-worker-port",
                "chat-worker-port",
                "kafka-port",
                "kafka-controller-port",
                "redis-port",
                "mongo-port",
                "data-dir",
                "startup-timeout"));
    if (!values.isEmpty()) {
      throw new IllegalArgumentException("Unknown option(s) " + values.keySet() + ".\n" + USAGE);
    }
    return options;
  }

  private static int port(Map<String, String> values, String name, int fallback) {
    var value = values.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value);
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--" + name + " must be a port number, not '" + value + "'");
    }
  }

  /** Every port this run will listen on, named by what listens there. */
  Map<String, Integer> ports() {
    var ports = new LinkedHashMap<String, Integer>();
    ports.put("api-service HTTP (--api-port)", apiPort);
    ports.put("api-service management (--api-management-port)", apiManagementPort);
    ports.put("fetch-worker (--fetch-worker-port)", fetchWorkerPort);
    ports.put("chat-worker (--chat-worker-port)", chatWorkerPort);
    ports.put("Kafka (--kafka-port)", kafkaPort);
    ports.put("Kafka controller (--kafka-controller-port)", kafkaControllerPort);
    ports.put("Redis (--redis-port)", redisPort);
    ports.put("MongoDB (--mongo-port)", mongoPort);
    return ports;
  }

  /**
   * Fails, naming the port and its owner's option, when a port is taken or given twice: better now
   * than a child that dies half-way through start-up with a bind error in its log.
   */
  void requirePortsFree() {
    var seen = new LinkedHashMap<Integer, String>();
    ports()
        .forEach(
            (owner, port) -> {
              var previous = seen.putIfAbsent(port, owner);
              if (previous != null) {
                throw new IllegalStateException(
                    "Port " + port + " is given to both " + previous + " and " + owner + ".");
              }
            });
    ports()
        .forEach(
            (owner, port) -> {
              if (!isFree(port)) {
                throw new IllegalStateException(
                    "Port "
                        + port
                        + " for "
                        + owner
                        + " is already in use. Stop what listens there (see: ss -ltnp 'sport = :"
                        + port
                        + "'), or move it with the option named in parentheses.");
              }
            });
  }

  private static boolean isFree(int port) {
    // Both the wildcard address (where the services bind) and loopback (where the stores bind).
    for (var address :
        new InetSocketAddress[] {
          new InetSocketAddress(port), new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
        }) {
      try (var socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(address);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
