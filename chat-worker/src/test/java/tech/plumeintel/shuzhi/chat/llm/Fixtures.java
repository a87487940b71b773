package tech.plumeintel.shuzhi.chat.llm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The recorded DeepSeek streams in {@code src/test/resources/fixtures/deepseek/}. */
public final class Fixtures {

  public static final String REASONER = "deepseek-reasoner-stream.chunks.txt";
  public static final String CHAT = "deepseek-chat-stream.chunks.txt";

  private Fixtures() {}

  /** The chunks, one JSON object each, as DeepSeek sent them in {@code data:} lines. */
  public static List<String> chunks(String name) {
    try (var in = Fixtures.class.getResourceAsStream("/fixtures/deepseek/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.isBlank())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
