package tech.plumeintel.shuzhi.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn;
import tech.plumeintel.shuzhi.testsupport.SourceStandIn;
import tech.plumeintel.shuzhi.testsupport.WechatStandIn;

/**
 * Everything outside the system, stood in for over real HTTP: WeChat, the three book sources (and
 * Open Library's cover host) and the OpenAI-compatible LLM. One set per test JVM, shared by the
 * in-process services and the worker processes.
 */
final class Upstreams implements AutoCloseable {

  static final String LLM_API_KEY = "sk-system-tests-never-logged";
  static final String LLM_SPENT_KEY = "sk-system-tests-spent-never-logged";
  static final Duration LLM_CHUNK_DELAY = Duration.ofMillis(2);

  final WechatStandIn wechat = new WechatStandIn();
  final SourceStandIn douban = SourceStandIn.start();
  final SourceStandIn openLibrary = SourceStandIn.start();
  final SourceStandIn covers = SourceStandIn.start();
  final SourceStandIn google = SourceStandIn.start();
  final OpenAiStandIn llm =
      OpenAiStandIn.start(
          new OpenAiStandIn.Behaviour.Replay(recordedChunks(REASONER), LLM_CHUNK_DELAY));

  /** DeepSeek's recorded thinking model: reasoning deltas, then content, then usage. */
  static final String REASONER = "deepseek-reasoner-stream.chunks.txt";

  /** What the fetch-worker is told about the book sources. */
  Map<String, String> sourceProperties() {
    var properties = new LinkedHashMap<String, String>();
    properties.put("shuzhi.books.douban.base-url", douban.baseUrl().toString());
    properties.put("shuzhi.books.openlibrary.base-url", openLibrary.baseUrl().toString());
    properties.put("shuzhi.books.openlibrary.covers-base-url", covers.baseUrl().toString());
    properties.put("shuzhi.books.google.base-url", google.baseUrl().toString());
    return properties;
  }

  /** What the chat-worker is told about the model. */
  Map<String, String> llmProperties() {
    return Map.of(
        "shuzhi.llm.base-url",
        llm.baseUrl(),
        "shuzhi.llm.api-key",
        LLM_API_KEY,
        // A second key, which ChatFailuresJourneyIT has the stand-in refuse for want of balance.
        "shuzhi.llm.api-keys",
        LLM_SPENT_KEY);
  }

  /** The chunks of a recorded DeepSeek stream, one JSON object each, as sent in {@code data:}. */
  static List<String> recordedChunks(String name) {
    try (var in = Upstreams.class.getResourceAsStream("/fixtures/deepseek/" + name)) {
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

  /** A recorded Douban subject page whose image links point at the Douban stand-in. */
  String doubanPage(String subject) {
    try (var in =
        Upstreams.class.getResourceAsStream("/fixtures/douban/subject-" + subject + ".html")) {
      if (in == null) {
        throw new IllegalArgumentException("no Douban fixture " + subject);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replaceAll("https://img\\d\\.doubanio\\.com", douban.baseUrl().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (AutoCloseable standIn :
        new AutoCloseable[] {wechat, douban, openLibrary, covers, google, llm}) {
      try {
        standIn.close();
      } catch (Exception e) {
        // Stopping a loopback server at exit; nothing depends on it any more.
      }
    }
  }
}
