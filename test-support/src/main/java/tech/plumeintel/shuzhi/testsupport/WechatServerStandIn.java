package tech.plumeintel.shuzhi.testsupport;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * WeChat's server API as documented: {@code POST /cgi-bin/stable_token} (normal mode answers the
 * current token until its last 5 minutes, then a new one while the old stays valid; {@code
 * force_refresh} invalidates the current one; a daily quota answered with {@code 45009}) and {@code
 * POST /wxa/msg_sec_check} version 2 (verdict by content: {@link #RISKY} and {@link #REVIEW} marks;
 * {@code 40001} for an invalid token, {@code 42001} for an expired one; programmable {@code -1},
 * {@code 45009}, HTTP 503 and slow answers). Counts what it was asked.
 */
public final class WechatServerStandIn {

  public static final String STABLE_TOKEN = "/cgi-bin/stable_token";
  public static final String MSG_SEC_CHECK = "/wxa/msg_sec_check";

  /** Text containing this is judged risky (label 20001, 时政). */
  public static final String RISKY = "[wx-risky]";

  /** Text containing this is judged "review" (label 20002, 色情). */
  public static final String REVIEW = "[wx-review]";

  /** How {@code msg_sec_check} fails, when a test makes it. */
  public enum Failure {
    /** {@code errcode -1}, WeChat busy. */
    BUSY,
    /** {@code errcode 45009}, over the daily quota. */
    RATE_LIMITED,
    /** HTTP 503 with an HTML body. */
    UNAVAILABLE,
    /** The verdict, but only after {@link #slowBy}. */
    SLOW,
    /** A verdict padded to 1 MB, more than any caller should read. */
    OVERSIZED
  }

  private static final Duration RENEW_WINDOW = Duration.ofMinutes(5);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Supplier<Instant> clock;
  private final Map<String, Instant> validTokens = new ConcurrentHashMap<>();
  private final AtomicInteger stableTokenCalls = new AtomicInteger();
  private final AtomicInteger forcedRefreshes = new AtomicInteger();
  private final AtomicInteger checkCalls = new AtomicInteger();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile String current = "";
  private volatile Instant currentExpiresAt = Instant.EPOCH;
  private volatile Duration expiresIn = Duration.ofSeconds(7200);
  private volatile int dailyQuota = 10_000;
  private volatile Failure failure = Failure.BUSY;
  private volatile boolean failing;
  private volatile Duration slowBy = Duration.ofSeconds(5);

  WechatServerStandIn(HttpStandIn http, Supplier<Instant> clock) {
    this.clock = clock;
    http.on(STABLE_TOKEN, this::stableToken);
    http.on(MSG_SEC_CHECK, this::msgSecCheck);
  }

  /** Tokens issued from now on are valid this long. */
  public WechatServerStandIn tokensValidFor(Duration validity) {
    this.expiresIn = validity;
    return this;
  }

  /** {@code stable_token} calls answered with a token before {@code 45009}. */
  public WechatServerStandIn dailyQuota(int calls) {
    this.dailyQuota = calls;
    return this;
  }

  /** Every token issued so far stops being valid, as if another party had forced a refresh. */
  public void invalidateTokens() {
    validTokens.clear();
  }

  /** The next {@code times} checks fail this way; the ones after answer normally. */
  public void failChecks(Failure how, int times) {
    this.failure = how;
    failuresLeft.set(times);
  }

  /** Every check fails this way until {@link #recover()}. */
  public void failAllChecks(Failure how) {
    this.failure = how;
    this.failing = true;
  }

  public void recover() {
    failing = false;
    failuresLeft.set(0);
  }

  /** How late a {@link Failure#SLOW} answer comes. */
  public void slowBy(Duration delay) {
    this.slowBy = delay;
  }

  public int stableTokenCalls() {
    return stableTokenCalls.get();
  }

  public int forcedRefreshes() {
    return forcedRefreshes.get();
  }

  public int checkCalls() {
    return checkCalls.get();
  }

  /** Counters back to zero and no failures; tokens issued stay valid. */
  public void reset() {
    stableTokenCalls.set(0);
    forcedRefreshes.set(0);
    checkCalls.set(0);
    recover();
  }

  private void stableToken(HttpExchange exchange) throws IOException {
    var body = JSON.readTree(HttpStandIn.body(exchange));
    int call = stableTokenCalls.incrementAndGet();
    if (!"client_credential".equals(body.path("grant_type").asString(""))) {
      json(exchange, "{\"errcode\":40002,\"errmsg\":\"invalid grant_type\"}");
      return;
    }
    if (!WechatStandIn.APP_ID.equals(body.path("appid").asString(""))) {
      json(exchange, "{\"errcode\":40013,\"errmsg\":\"invalid appid\"}");
      return;
    }
    if (!WechatStandIn.APP_SECRET.equals(body.path("secret").asString(""))) {
      json(exchange, "{\"errcode\":40125,\"errmsg\":\"invalid appsecret\"}");
      return;
    }
    if (call > dailyQuota) {
      json(exchange, "{\"errcode\":45009,\"errmsg\":\"reach max api daily quota limit\"}");
      return;
    }
    var now = clock.get();
    boolean force = body.path("force_refresh").asBoolean(false);
    synchronized (this) {
      if (force) {
        forcedRefreshes.incrementAndGet();
        validTokens.remove(current);
        issue(now);
      } else if (current.isEmpty() || !now.isBefore(currentExpiresAt.minus(RENEW_WINDOW))) {
        // The last 5 minutes: a new token, the old one still valid until it expires.
        issue(now);
      }
      long left = Math.max(1, Duration.between(now, currentExpiresAt).toSeconds());
      json(exchange, "{\"access_token\":\"" + current + "\",\"expires_in\":" + left + "}");
    }
  }

  private void issue(Instant now) {
    current = "wx-at-" + UUID.randomUUID().toString().replace("-", "") + "-never-logged";
    currentExpiresAt = now.plus(expiresIn);
    validTokens.put(current, currentExpiresAt);
  }

  private void msgSecCheck(HttpExchange exchange) throws IOException {
    checkCalls.incrementAndGet();
    var token = WechatStandIn.query(exchange.getRequestURI().getRawQuery()).get("access_token");
    var expiry = token == null ? null : validTokens.get(token);
    if (expiry == null) {
      json(
          exchange,
          "{\"errcode\":40001,\"errmsg\":\"invalid credential, access_token is invalid\"}");
      return;
    }
    if (!clock.get().isBefore(expiry)) {
      json(exchange, "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}");
      return;
    }
    if (failing || failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      switch (failure) {
        case BUSY -> {
          json(exchange, "{\"errcode\":-1,\"errmsg\":\"system error\"}");
          return;
        }
        case RATE_LIMITED -> {
          json(exchange, "{\"errcode\":45009,\"errmsg\":\"reach max api daily quota limit\"}");
          return;
        }
        case UNAVAILABLE -> {
          HttpStandIn.respond(exchange, 503, "text/html", "<html>503 Service Unavailable</html>");
          return;
        }
        case OVERSIZED -> {
          json(
              exchange,
              "{\"errcode\":0,\"errmsg\":\"ok\",\"result\":{\"suggest\":\"pass\",\"label\":100},"
                  + "\"padding\":\""
                  + "x".repeat(1 << 20)
                  + "\"}");
          return;
        }
        case SLOW -> {
          try {
            Thread.sleep(slowBy);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    }
    JsonNode body = JSON.readTree(HttpStandIn.body(exchange));
    if (body.path("version").asInt(0) != 2
        || body.path("openid").asString("").isBlank()
        || body.path("scene").asInt(0) < 1
        || body.path("scene").asInt(0) > 4) {
      json(exchange, "{\"errcode\":47001,\"errmsg\":\"data format error\"}");
      return;
    }
    var content = body.path("content").asString("");
    if (content.isEmpty() || content.length() > 2500) {
      json(exchange, "{\"errcode\":47001,\"errmsg\":\"data format error\"}");
      return;
    }
    String suggest =
        content.contains(RISKY) ? "risky" : content.contains(REVIEW) ? "review" : "pass";
    int label = content.contains(RISKY) ? 20001 : content.contains(REVIEW) ? 20002 : 100;
    json(
        exchange,
        "{\"errcode\":0,\"errmsg\":\"ok\",\"result\":{\"suggest\":\""
            + suggest
            + "\",\"label\":"
            + label
            + "},\"detail\":[{\"strategy\":\"content_model\",\"errcode\":0,\"suggest\":\""
            + suggest
            + "\",\"label\":"
            + label
            + ",\"prob\":90}],\"trace_id\":\""
            + UUID.randomUUID()
            + "\"}");
  }

  private static void json(HttpExchange exchange, String body) throws IOException {
    HttpStandIn.respond(exchange, 200, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }
}
