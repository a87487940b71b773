package tech.plumeintel.shuzhi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoClientSettings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MongoTimeoutsTest {

  private static final PlatformProperties PROPERTIES =
      new PlatformProperties(
          Duration.ofMillis(1_500),
          Duration.ofSeconds(10),
          Duration.ofSeconds(3),
          3,
          Duration.ofMillis(500),
          12,
          (short) 1);

  private final MongoClientSettings settings = customized();

  @Test
  void aRequestWaitsForAPooledConnectionNoLongerThanTheStoreTimeout() {
    assertThat(settings.getConnectionPoolSettings().getMaxWaitTime(TimeUnit.MILLISECONDS))
        .isEqualTo(1_500);
  }

  @Test
  void aStoreThatIsDownIsGivenUpOnAfterTheStoreTimeout() {
    assertThat(settings.getClusterSettings().getServerSelectionTimeout(TimeUnit.MILLISECONDS))
        .isEqualTo(1_500);
    assertThat(settings.getSocketSettings().getConnectTimeout(TimeUnit.MILLISECONDS))
        .isEqualTo(1_500);
    assertThat(settings.getSocketSettings().getReadTimeout(TimeUnit.MILLISECONDS))
        .isEqualTo(10_000);
  }

  private static MongoClientSettings customized() {
    var builder = MongoClientSettings.builder();
    new PlatformAutoConfiguration().mongoTimeouts(PROPERTIES).customize(builder);
    return builder.build();
  }
}
