package tech.plumeintel.shuzhi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ParentProcessWatchTest {

  private final ApplicationContextRunner contexts =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ParentProcessWatch.class));

  @Test
  void isAbsentUnlessALauncherGaveItsPid() {
    contexts.run(context -> assertThat(context).doesNotHaveBean(ParentProcessWatch.class));
  }

  @Test
  void watchesTheLauncherNamedByTheProperty() {
    // This test JVM's own pid: a parent that stays alive for the test's duration.
    contexts
        .withPropertyValues("shuzhi.platform.parent-pid=" + ProcessHandle.current().pid())
        .run(context -> assertThat(context.getBean(ParentProcessWatch.class).isRunning()).isTrue());
  }
}
