package tech.plumeintel.shuzhi.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalOptionsTest {

  @Test
  void defaultsAreTheContractPorts() {
    var options = LocalOptions.parse();

    assertThat(options.ports().values())
        .containsExactly(8080, 8090, 8081, 8082, 9092, 9093, 6379, 27017);
    assertThat(options.dataDir()).isEqualTo(Path.of("local/data").toAbsolutePath());
  }

  @Test
  void eachPortCanBeMoved() {
    var options = LocalOptions.parse("--api-port=18080", "--kafka-port=19092", "--data-dir=/tmp/x");

    assertThat(options.apiPort()).isEqualTo(18080);
    assertThat(options.kafkaPort()).isEqualTo(19092);
    assertThat(options.dataDir()).isEqualTo(Path.of("/tmp/x"));
  }

  @Test
  void unknownOptionsAndBadPortsAreRefusedWithTheUsage() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LocalOptions.parse("--api-prot=1"))
        .withMessageContaining("api-prot")
        .withMessageContaining("Usage");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LocalOptions.parse("--redis-port=70000"))
        .withMessageContaining("--redis-port must be a port number");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LocalOptions.parse("start"))
        .withMessageContaining("Unknown argument 'start'");
  }

  @Test
  void aPortInUseIsNamedWithTheOptionThatMovesIt() throws IOException {
    try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      var options =
          LocalOptions.parse(
              "--redis-port=" + port,
              "--api-port=" + freePort(),
              "--api-management-port=" + freePort(),
              "--fetch-worker-port=" + freePort(),
              "--chat-worker-port=" + freePort(),
              "--kafka-port=" + freePort(),
              "--kafka-controller-port=" + freePort(),
              "--mongo-port=" + freePort());

      assertThatIllegalStateException()
          .isThrownBy(options::requirePortsFree)
          .withMessageContaining("Port " + port + " for Redis (--redis-port) is already in use");
    }
  }

  @Test
  void onePortForTwoServersIsRefused() {
    var options = LocalOptions.parse("--fetch-worker-port=8090");

    assertThatIllegalStateException()
        .isThrownBy(options::requirePortsFree)
        .withMessageContaining("Port 8090 is given to both api-service management");
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
