package tech.plumeintel.shuzhi.fetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Recorded upstream answers under {@code src/test/resources/fixtures/} (see SOURCES.md there). */
public final class Fixtures {

  private Fixtures() {}

  public static byte[] bytes(String path) {
    try (var in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String text(String path) {
    return new String(bytes(path), StandardCharsets.UTF_8);
  }
}
