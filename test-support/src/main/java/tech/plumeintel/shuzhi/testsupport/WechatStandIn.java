package tech.plumeintel.shuzhi.testsupport;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * WeChat over real HTTP: {@code sns/jscode2session}, answering per code as a test programs it, and
 * the server API of {@link WechatServerStandIn} ({@code cgi-bin/stable_token}, {@code
 * wxa/msg_sec_check}).
 */
public final class WechatStandIn implements AutoCloseable {

  public static final String PATH = "/sns/jscode2session";
  public static final String APP_ID = "wx-test-app";
  public static final String APP_SECRET = "test-app-secret-never-logged";

  private final HttpStandIn http = new HttpStandIn();
  private final Map<String, HttpStandIn.Handler> byCode = new ConcurrentHashMap<>();
  private final WechatServerStandIn server;

  public WechatStandIn() {
    this(Clock.systemUTC()::instant);
  }

  /** With tokens that expire by this clock (a test's hand-moved one). */
  public WechatStandIn(Supplier<java.time.Instant> clock) {
    server = new WechatServerStandIn(http, clock);
    http.on(
        PATH,
        exchange -> {
          var code = query(exchange.getRequestURI().getRawQuery()).getOrDefault("js_code", "");
          var handler = byCode.get(code);
          if (handler == null) {
            HttpStandIn.respond(
                exchange,
                200,
                "application/json",
                "{\"errcode\":40029,\"errmsg\":\"invalid code\"}");
          } else {
            handler.handle(exchange);
          }
        });
  }

  public URI baseUrl() {
    return http.baseUrl();
  }

  /** The code logs in as this openid; the answer carries a session key, as WeChat's does. */
  public String sessionKeyFor(String openid) {
    return "sk-" + Integer.toHexString(openid.hashCode()) + "-D1ZWEygStjuLCnZ9IN2l4Q==";
  }

  public void accept(String code, String openid) {
    answer(
        code,
        200,
        "{\"session_key\":\""
            + sessionKeyFor(openid)
            + "\",\"expires_in\":7200,\"openid\":\""
            + openid
            + "\",\"unionid\":\"u-"
            + openid
            + "\"}");
  }

  public void answer(String code, int status, String body) {
    byCode.put(
        code,
        exchange ->
            HttpStandIn.respond(
                exchange, status, body.startsWith("<") ? "text/html" : "application/json", body));
  }

  public void answer(String code, HttpStandIn.Handler handler) {
    byCode.put(code, handler);
  }

  public long requestsWithCode(String code) {
    return http.received(PATH).stream()
        .filter(r -> code.equals(query(r.query()).get("js_code")))
        .count();
  }

  public HttpStandIn http() {
    return http;
  }

  /** The server API: access tokens and content security. */
  public WechatServerStandIn server() {
    return server;
  }

  static Map<String, String> query(String raw) {
    var result = new ConcurrentHashMap<String, String>();
    if (raw == null) {
      return result;
    }
    Arrays.stream(raw.split("&"))
        .map(pair -> pair.split("=", 2))
        .filter(kv -> kv.length == 2)
        .forEach(kv -> result.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8)));
    return result;
  }

  @Override
  public void close() {
    http.close();
  }
}
