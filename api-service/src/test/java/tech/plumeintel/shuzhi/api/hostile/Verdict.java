package tech.plumeintel.shuzhi.api.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Judges one answer to a corpus case against the case's expectation and the error contract. */
final class Verdict {

  private static final Set<String> CODES =
      Set.of(
          "INVALID_PARAMS",
          "UNAUTHORIZED",
          "NOT_FOUND",
          "RATE_LIMIT",
          "SERVER_ERROR",
          "MODEL_ERROR",
          "UPSTREAM_ERROR");

  /** What must never reach a client: stack frames, exception names, container pages. */
  private static final List<String> LEAKS =
      List.of(
          "Exception",
          "\tat ",
          "at org.",
          "at java.",
          "at tech.",
          "<html",
          "<!doctype",
          "Whitelabel",
          "Tomcat",
          "springframework",
          "jackson",
          "mongodb",
          "\"trace\"",
          "\"path\"");

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Verdict() {}

  /** Everything wrong with an answer; empty when it is what the case expects. */
  static List<String> problems(CorpusCase c, RawHttp.Answer answer) {
    var problems = new ArrayList<String>();
    int status = answer.status();
    if (status < 0) {
      problems.add("no answer: " + answer.failure());
      return problems;
    }
    var expected = c.expected();
    if (expected.equals("4xx")
        ? status < 400 || status > 499
        : status != Integer.parseInt(expected)) {
      problems.add("status " + status + ", expected " + expected);
    }
    var body = answer.bodyText();
    c.absent().stream()
        .filter(body::contains)
        .forEach(text -> problems.add("body carries \"" + text + "\""));
    LEAKS.stream()
        .filter(leak -> body.toLowerCase(Locale.ROOT).contains(leak.toLowerCase(Locale.ROOT)))
        .forEach(leak -> problems.add("body leaks \"" + leak.strip() + "\""));
    if (status < 400) {
      return problems;
    }
    var type = answer.header("Content-Type");
    if (type == null || !type.startsWith("application/json")) {
      problems.add("error Content-Type " + type);
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (RuntimeException e) {
      problems.add("error body is not JSON");
      return problems;
    }
    var fields = new ArrayList<String>();
    json.propertyNames().forEach(fields::add);
    if (!json.isObject()
        || !Set.copyOf(fields).equals(Set.of("code", "message"))
        || !json.get("code").isString()
        || !json.get("message").isString()
        || json.get("message").asString().isBlank()) {
      problems.add("error body is not {\"code\",\"message\"}: " + abbreviate(body));
      return problems;
    }
    var code = json.get("code").asString();
    if (!CODES.contains(code)) {
      problems.add("unknown code " + code);
    }
    if (c.expectedCode() != null && !c.expectedCode().equals(code)) {
      problems.add("code " + code + ", expected " + c.expectedCode());
    }
    var fitting =
        switch (status) {
          case 401 -> "UNAUTHORIZED";
          case 404 -> "NOT_FOUND";
          case 429 -> "RATE_LIMIT";
          default -> status < 500 ? "INVALID_PARAMS" : null;
        };
    if (fitting != null && !fitting.equals(code)) {
      problems.add("code " + code + " does not fit status " + status);
    }
    return problems;
  }

  static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "…";
  }
}
