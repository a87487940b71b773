package tech.plumeintel.shuzhi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.info.Info;
import org.springframework.mock.env.MockEnvironment;

class RunModeTest {

  @Test
  void tryOutModeSaysSoInTheInfoEndpoint() {
    var environment = new MockEnvironment();
    environment.setActiveProfiles("local");
    var info = info(new RunMode(new TryOutProperties(true), environment));
    assertThat(info.get("mode")).isEqualTo("try-out");
    assertThat(info.getDetails()).containsKey("try-out");
  }

  @Test
  void theLocalProfileWithoutTryOutIsTheLocalRun() {
    var environment = new MockEnvironment();
    environment.setActiveProfiles("local");
    var info = info(new RunMode(new TryOutProperties(false), environment));
    assertThat(info.get("mode")).isEqualTo("local");
    assertThat(info.getDetails()).doesNotContainKey("try-out");
  }

  @Test
  void noProfileAndNoTryOutIsProduction() {
    var info = info(new RunMode(new TryOutProperties(false), new MockEnvironment()));
    assertThat(info.get("mode")).isEqualTo("production");
  }

  private static Info info(RunMode mode) {
    var builder = new Info.Builder();
    mode.contribute(builder);
    return builder.build();
  }
}
