package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;

/**
 * An instance that stops closes each of its Redis connections once. Lettuce warns when a connection
 * is closed a second time, and a warning at every stop of every instance is one that operators
 * learn to ignore.
 */
class InstanceStopIT extends ApiIntegrationTest {

  @Test
  void aStoppingInstanceLogsNoWarningAboutItsRedisConnections() {
    var instance = new AnotherApiInstance(Map.of());
    // Started after the instance: starting it sets up logging again, without this appender.
    try (var logs = CapturedLogs.start()) {
      instance.close();

      assertThat(logs.lines()).filteredOn(line -> line.startsWith("WARN io.lettuce")).isEmpty();
    }
  }
}
