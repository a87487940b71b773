package tech.plumeintel.shuzhi.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevJwtSecretTest {

  @TempDir Path dataDir;

  @Test
  void isMadeOncePerDataDirectoryLongEnoughAndReadableOnlyByItsOwner() throws Exception {
    var first = DevJwtSecret.of(dataDir);
    var again = DevJwtSecret.of(dataDir);

    assertThat(again).isEqualTo(first);
    assertThat(first.getBytes(StandardCharsets.US_ASCII)).hasSizeGreaterThanOrEqualTo(32);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dataDir.resolve("jwt-secret"))))
        .isEqualTo("rw-------");
  }

  @Test
  void anotherDataDirectoryGetsAnotherSecret(@TempDir Path other) {
    assertThat(DevJwtSecret.of(other)).isNotEqualTo(DevJwtSecret.of(dataDir));
  }
}
