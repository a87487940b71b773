package tech.plumeintel.shuzhi.api.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One hostile request of the corpus in {@code src/test/resources/corpus/} (the format is described
 * in that folder's README). Text may name {@code {{placeholders}}} (tokens, ids) that the test
 * fills in, so that the corpus stays data.
 */
record CorpusCase(String group, String name, JsonNode spec) {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z0-9_]+)}}");

  /** What the answer must be: an exact status, or any 4xx. */
  String expected() {
    return spec.path("expect").asString("4xx");
  }

  String expectedCode() {
    return spec.path("code").asString(null);
  }

  /** Text the answer's body must not carry (a spoofed host, an SVG's markup). */
  java.util.List<String> absent() {
    var absent = new java.util.ArrayList<String>();
    spec.path("absent").forEach(text -> absent.add(text.asString()));
    return absent;
  }

  String auth() {
    return spec.path("auth").asString("access");
  }

  String method() {
    return spec.path("method").asString("GET");
  }

  /**
   * The contract endpoint the case aims at, as {@code METHOD /path/{param}/}, read from its request
   * line before placeholders are filled; null for a target outside the contract.
   */
  String endpoint() {
    String method;
    String target;
    if (spec.has("raw")) {
      var line = spec.get("raw").isString() ? spec.get("raw").asString().split("\\r?\\n")[0] : "";
      var parts = line.split(" ");
      method = parts[0];
      target = parts.length > 1 ? parts[1] : "";
    } else {
      method = method();
      target = spec.path("path").isString() ? spec.path("path").asString() : "";
    }
    var path = target.split("\\?")[0];
    for (var endpoint : ENDPOINTS) {
      if (path.matches(endpoint.pattern())) {
        return method.toUpperCase(Locale.ROOT) + " " + endpoint.name();
      }
    }
    return null;
  }

  private record Endpoint(String name, String pattern) {}

  /** CONTRACT §1, most specific first. */
  private static final List<Endpoint> ENDPOINTS =
      List.of(
          new Endpoint("/api/auth/login/wechat/", "/api/auth/login/wechat/"),
          new Endpoint("/api/auth/token/refresh/", "/api/auth/token/refresh/"),
          new Endpoint("/api/books/{isbn}/cover/", "/api/books/[^/]+/cover/"),
          new Endpoint("/api/books/{isbn}/", "/api/books/[^/]+/"),
          new Endpoint("/api/tasks/{task_id}/", "/api/tasks/[^/]+/"),
          new Endpoint("/api/chat/stream/{request_id}/cancel/", "/api/chat/stream/[^/]+/cancel/"),
          new Endpoint("/api/chat/stream/{request_id}/", "/api/chat/stream/[^/]+/"),
          new Endpoint("/api/chat/stream/", "/api/chat/stream/"),
          new Endpoint("/api/user/history/{id}/", "/api/user/history/[^/]+/"),
          new Endpoint("/api/user/history/", "/api/user/history/"),
          new Endpoint("/api/user/collections/{isbn}/", "/api/user/collections/[^/]+/"),
          new Endpoint("/api/user/collections/", "/api/user/collections/"),
          new Endpoint("/api/user/profile/", "/api/user/profile/"));

  /** The request exactly as it goes on the wire. */
  byte[] request(int port, Map<String, String> values) {
    if (spec.has("raw")) {
      return bytes(spec.get("raw"), values);
    }
    var out = new ByteArrayOutputStream();
    var head = new StringBuilder();
    write(out, (method() + " ").getBytes(StandardCharsets.ISO_8859_1));
    write(out, bytes(spec.path("path"), values));
    write(out, " HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
    var headers = headers(values);
    var body = spec.has("body") ? bytes(spec.get("body"), values) : null;
    if (spec.path("defaults").asBoolean(true)) {
      head.append("Host: 127.0.0.1:").append(port).append("\r\n");
      head.append("Connection: close\r\n");
      if (!"none".equals(auth())) {
        head.append("Authorization: Bearer ").append(value(auth(), values)).append("\r\n");
      }
      if (body != null && !named(headers, "content-type")) {
        head.append("Content-Type: application/json\r\n");
      }
      if (!named(headers, "content-length")
          && !named(headers, "transfer-encoding")
          && (body != null || List.of("POST", "PUT", "PATCH").contains(method()))) {
        head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
      }
    }
    write(out, head.toString().getBytes(StandardCharsets.ISO_8859_1));
    for (var header : headers) {
      if (header.value() == null) {
        continue;
      }
      write(out, header.name().getBytes(StandardCharsets.UTF_8));
      write(out, ": ".getBytes(StandardCharsets.ISO_8859_1));
      write(out, header.value());
      write(out, "\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    write(out, "\r\n".getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      write(out, body);
    }
    return out.toByteArray();
  }

  /** The corpus, group by group (one group per file), in file order. */
  static List<CorpusCase> load(Path folder) {
    try (var files = Files.list(folder)) {
      return files
          .filter(f -> f.toString().endsWith(".jsonl"))
          .sorted()
          .flatMap(CorpusCase::cases)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stream<CorpusCase> cases(Path file) {
    var group = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .map(
              line -> {
                var spec = JSON.readTree(line);
                return new CorpusCase(group, spec.path("name").asString(), spec);
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A header to send; a null value only keeps a default header (Content-Type) from being sent. */
  private record Header(String name, byte[] value) {}

  /** Headers as an object, or as a list of [name, value] pairs (to repeat a name). */
  private List<Header> headers(Map<String, String> values) {
    var headers = new ArrayList<Header>();
    var node = spec.path("headers");
    if (node.isObject()) {
      node.properties().forEach(e -> headers.add(header(e.getKey(), e.getValue(), values)));
    } else if (node.isArray()) {
      node.forEach(pair -> headers.add(header(pair.get(0).asString(), pair.get(1), values)));
    }
    return headers;
  }

  private static Header header(String name, JsonNode value, Map<String, String> values) {
    return new Header(name, value.isNull() ? null : bytes(value, values));
  }

  private static boolean named(List<Header> headers, String name) {
    return headers.stream().anyMatch(h -> h.name().equalsIgnoreCase(name));
  }

  /**
   * A string (UTF-8, placeholders filled), or a list of parts: strings, {@code {"repeat": text,
   * "times": n}}, {@code {"hex": "c3 28"}} or {@code {"b64": "..."}} for bytes that are not UTF-8.
   */
  private static byte[] bytes(JsonNode node, Map<String, String> values) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return new byte[0];
    }
    if (node.isString()) {
      return fill(node.asString(), values).getBytes(StandardCharsets.UTF_8);
    }
    if (node.isArray()) {
      var out = new ByteArrayOutputStream();
      node.forEach(part -> write(out, bytes(part, values)));
      return out.toByteArray();
    }
    if (node.has("repeat")) {
      return fill(node.get("repeat").asString(), values)
          .repeat(node.path("times").asInt())
          .getBytes(StandardCharsets.UTF_8);
    }
    if (node.has("hex")) {
      return HexFormat.of().parseHex(node.get("hex").asString().replace(" ", ""));
    }
    if (node.has("b64")) {
      return Base64.getDecoder().decode(node.get("b64").asString());
    }
    throw new IllegalArgumentException("unknown part " + node);
  }

  private static String fill(String text, Map<String, String> values) {
    return PLACEHOLDER
        .matcher(text)
        .replaceAll(m -> Matcher.quoteReplacement(value(m.group(1), values)));
  }

  private static String value(String name, Map<String, String> values) {
    var value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("the corpus names an unknown value {{" + name + "}}");
    }
    return value;
  }

  private static void write(ByteArrayOutputStream out, byte[] bytes) {
    out.write(bytes, 0, bytes.length);
  }
}
