package tech.plumeintel.shuzhi.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalServiceTest {

  @Test
  void servicesLogReadableLinesUnlessJsonIsAskedFor() {
    assertThat(LocalService.logFormat(null)).containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "");
    assertThat(LocalService.logFormat("text"))
        .containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "");
    // Production's JSON: the services' own application.yml setting stays in force.
    assertThat(LocalService.logFormat("json")).isEmpty();
    assertThat(LocalService.logFormat("JSON")).isEmpty();
  }
}
