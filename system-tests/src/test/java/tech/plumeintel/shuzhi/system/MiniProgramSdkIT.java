package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.ApiApplication;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;
import tech.plumeintel.shuzhi.testsupport.SourceStandIn;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * The mini-program SDK ({@code clients/miniprogram}) and the browser playground against the whole
 * running system: Node's own test runner runs the SDK's journeys through its {@code wx} shim and
 * drives the playground in headless Chromium, against an API instance started as {@link
 * ShuzhiSystem} starts its own (same workers, stores and stand-ins), with a 4 s access token (so
 * tokens really expire), 60 lookups a minute (so a 429 comes quickly, with a short Retry-After) and
 * the playground on. What only the stand-ins can tell (the model's connection closed by stop, one
 * generation for a send made twice) is checked here after Node is done.
 */
class MiniProgramSdkIT {

  private static final Duration ACCESS_TTL = Duration.ofSeconds(4);
  private static final List<String> READERS =
      List.of(
          "journey", "hide", "drop", "cancel", "double", "token", "limit", "pages", "browser",
          "example");

  private static final ShuzhiSystem system = ShuzhiSystem.shared();
  private static final Upstreams upstreams = system.upstreams;
  private static InProcessService api;

  @BeforeAll
  static void startTheSdksApi() {
    var properties = new LinkedHashMap<>(system.apiProperties());
    properties.put("shuzhi.jwt.access-ttl", ACCESS_TTL.toSeconds() + "s");
    properties.put("shuzhi.limits.lookups-per-minute", "60");
    properties.put("shuzhi.limits.lookup-slack-percent", "0");
    properties.put("shuzhi.playground.enabled", "true");
    api = InProcessService.start(ApiApplication.class, properties);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void theSdkJourneysAndThePlaygroundPassAgainstTheRunningSystem() throws Exception {
    var prefix = "sdk-" + System.nanoTime() + "-";
    for (var reader : READERS) {
      for (int i = 0; i < 10; i++) {
        upstreams.wechat.accept(prefix + reader + "-" + i, prefix + reader);
      }
    }
    // Each file of tests runs beside the others: each looks up a new book of its own.
    var newBook = TestIsbns.next();
    var limitBook = TestIsbns.next();
    var browserBook = TestIsbns.next();
    var exampleBook = TestIsbns.next();
    for (var isbn : List.of(newBook, limitBook, browserBook, exampleBook)) {
      Books.onDouban(upstreams, isbn);
    }
    // A real image, so that the browser can show it (the shared fixture is a token JPEG).
    upstreams.douban.on(Books.COVER_PATH, SourceStandIn.body(200, "image/png", png()));
    var reasoning = IntStream.range(0, 40).mapToObj(i -> "想一想第" + i + "步🤔，").toList();
    var answer = IntStream.range(0, 120).mapToObj(i -> "第" + i + "段：“我二十一岁”😀。\n").toList();
    var slow = new Behaviour.Replay(Answers.chunks(reasoning, answer), Duration.ofMillis(15));
    upstreams.llm.when("[sdk-slow]", slow);
    upstreams.llm.when("[sdk-double]", slow);
    upstreams.llm.when("[sdk-cut]", slow);
    upstreams.llm.when(
        "[sdk-stop]",
        new Behaviour.Stall(Answers.chunks(reasoning.subList(0, 3), answer.subList(0, 3))));
    var isbns = IntStream.range(0, 8).mapToObj(i -> TestIsbns.next()).toList();
    var screenshot = Path.of("target", "playground.png").toAbsolutePath();

    var env = new LinkedHashMap<String, String>();
    env.put("SHUZHI_BASE_URL", "http://127.0.0.1:" + api.port());
    env.put("SHUZHI_PLAYGROUND_URL", "http://127.0.0.1:" + api.port() + "/playground/");
    env.put("SHUZHI_CODE_PREFIX", prefix);
    env.put("SHUZHI_ISBN_NEW", newBook);
    env.put("SHUZHI_ISBN_LIMIT", limitBook);
    env.put("SHUZHI_ISBN_BROWSER", browserBook);
    env.put("SHUZHI_ISBN_EXAMPLE", exampleBook);
    env.put("SHUZHI_ISBNS", String.join(",", isbns));
    env.put("SHUZHI_ANSWER", String.join("", answer));
    env.put("SHUZHI_REASONING", String.join("", reasoning));
    env.put("SHUZHI_ACCESS_TTL_MS", Long.toString(ACCESS_TTL.toMillis()));
    env.put("SHUZHI_CHROMIUM", chromium());
    env.put("SHUZHI_SCREENSHOT", screenshot.toString());

    var run = node(env);

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("# fail 0").contains("# skipped 0").contains("# todo 0");
    assertThat(count(run.output(), "# pass (\\d+)")).as(run.output()).isGreaterThanOrEqualTo(17);
    assertThat(screenshot).exists();

    var cancelled = find(run.output(), "SDK-CANCELLED (\\S+)");
    assertThat(cancelled).isNotNull();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> upstreams.llm.closedAt("[sdk-stop]").isPresent());
    var doubled = find(run.output(), "SDK-DOUBLE (\\S+)");
    assertThat(doubled).isNotNull();
    assertThat(upstreams.llm.requestsContaining("[sdk-double]"))
        .as("a send made twice is generated once")
        .hasSize(1);
    assertThat(upstreams.llm.requestsContaining("[sdk-cut]"))
        .as("an answer cut every 700 ms, its send included, is generated once")
        .hasSize(1);
  }

  private record Run(int exitCode, String output) {}

  private static Run node(Map<String, String> env) throws IOException, InterruptedException {
    var clients = Path.of(System.getProperty("shuzhi.clients.dir", "../clients/miniprogram"));
    var command = new ArrayList<>(List.of("node", "--experimental-websocket", "--test"));
    command.add("--test-reporter=tap");
    command.add("--test-concurrency=4");
    command.add("test/");
    var process =
        new ProcessBuilder(command)
            .directory(clients.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE);
    process.environment().putAll(env);
    var started = process.start();
    var output = new ByteArrayOutputStream();
    var reader = Thread.ofPlatform().start(() -> copy(started, output));
    if (!started.waitFor(5, TimeUnit.MINUTES)) {
      started.destroyForcibly();
    }
    reader.join(10_000);
    var text = output.toString(StandardCharsets.UTF_8);
    // Surfaced in the build's output, so a failing journey can be read where it failed.
    System.out.println(text);
    return new Run(started.isAlive() ? -1 : started.exitValue(), text);
  }

  private static void copy(Process process, ByteArrayOutputStream output) {
    try (var in = process.getInputStream()) {
      in.transferTo(output);
    } catch (IOException e) {
      // The process ended; what was read is kept.
    }
  }

  /** Debian's chromium (installed by .ci/run); the playground test needs a real browser. */
  private static String chromium() {
    for (var candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no chromium: install Debian's chromium package (.ci/run does when it can)");
  }

  private static byte[] png() throws IOException {
    var image = new BufferedImage(60, 90, BufferedImage.TYPE_INT_RGB);
    var graphics = image.createGraphics();
    graphics.setColor(new Color(0xC8, 0x9B, 0x3C));
    graphics.fillRect(0, 0, 60, 90);
    graphics.setColor(new Color(0x3A, 0x2A, 0x1A));
    graphics.fillRect(8, 30, 44, 10);
    graphics.dispose();
    var out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  private static int count(String output, String regex) {
    var match = find(output, regex);
    return match == null ? 0 : Integer.parseInt(match);
  }

  private static String find(String output, String regex) {
    var matcher = Pattern.compile(regex).matcher(output);
    return matcher.find() ? matcher.group(1) : null;
  }
}
