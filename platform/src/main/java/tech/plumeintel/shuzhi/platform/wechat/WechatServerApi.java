package tech.plumeintel.shuzhi.platform.wechat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The WeChat server endpoints the services call: {@code sns/jscode2session} (login), {@code
 * cgi-bin/stable_token} and {@code wxa/msg_sec_check} (version 2). WeChat answers errors with HTTP
 * 200 and an {@code errcode}. The secret, a login code and the access token travel in the URL or
 * the body, so neither URL nor body is ever logged or put in an exception.
 *
 * <p>Apache HttpClient's classic (blocking) client makes each call on the calling thread, a virtual
 * one in every caller. A question's check stands in its time to the first token, and the JDK's own
 * client, which hands each exchange between its selector thread and an executor, took 35–60 %
 * longer per call on the bench's machine at one call every 20–50 ms (p50 1.21–1.85 ms against
 * 0.74–1.31 ms) and twice as long back to back (0.23–0.31 ms against 0.13–0.15 ms).
 */
public final class WechatServerApi implements AutoCloseable {

  private static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * Calls in flight at once per instance; more wait for a connection within their own timeout. A
   * chat-worker checks the answers of up to thousands of streams, each now and then.
   */
  private static final int MAX_CONNECTIONS = 500;

  /** WeChat closes idle keep-alive connections after a while; ours go first. */
  private static final TimeValue IDLE_CONNECTIONS_KEPT = TimeValue.ofSeconds(30);

  private final WechatServerProperties properties;
  private final CloseableHttpClient http;
  private final JsonMapper json = JsonMapper.builder().build();

  public WechatServerApi(WechatServerProperties properties) {
    this.properties = properties;
    var connections =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnTotal(MAX_CONNECTIONS)
            .setMaxConnPerRoute(MAX_CONNECTIONS)
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(properties.connectTimeout()))
                    .build())
            .build();
    this.http =
        HttpClients.custom()
            .setConnectionManager(connections)
            .setRetryStrategy(new ClosedConnectionRetry())
            .disableRedirectHandling()
            .disableCookieManagement()
            .disableAuthCaching()
            .evictIdleConnections(IDLE_CONNECTIONS_KEPT)
            .build();
  }

  /** Who a login code belongs to; WeChat's session key is not kept. */
  public record Session(String openid, @Nullable String unionid) {}

  /**
   * {@code GET /sns/jscode2session}: the reader a mini-program's login code belongs to. A code is
   * single-use, so nothing retries this call, except on a kept-alive connection the server closed
   * without answering (see {@link ClosedConnectionRetry}): the server almost always closed it
   * before reading the request; should it have used the code, the retry is refused as a used code
   * and the reader logs in again.
   *
   * @throws WechatCallException when WeChat gave no identity; {@link WechatCallException#errcode()}
   *     tells a refused code from a failed call
   */
  public Session jscode2session(String code) {
    var request =
        new HttpGet(
            properties.endpoint("/sns/jscode2session")
                + "?appid="
                + encode(properties.appId())
                + "&secret="
                + encode(properties.appSecret())
                + "&js_code="
                + encode(code)
                + "&grant_type=authorization_code");
    var answer = call("jscode2session", request, properties.timeout());
    var openid = answer.path("openid").asString("");
    if (openid.isBlank()) {
      throw new WechatCallException("malformed", 0, "jscode2session answered without an openid");
    }
    var unionid = answer.path("unionid").asString("");
    return new Session(openid, unionid.isBlank() ? null : unionid);
  }

  /** A token as WeChat issued it. */
  public record IssuedToken(String token, Duration expiresIn) {
    @Override
    public String toString() {
      return "IssuedToken[expiresIn=" + expiresIn + "]";
    }
  }

  /**
   * {@code POST /cgi-bin/stable_token}. In normal mode WeChat answers the current token until its
   * last 5 minutes, then a new one (the old one stays valid until it expires); {@code force}
   * invalidates the current token at once and is limited to 20 calls a day.
   */
  public IssuedToken stableToken(boolean force) {
    var body = new LinkedHashMap<String, Object>();
    body.put("grant_type", "client_credential");
    body.put("appid", properties.appId());
    body.put("secret", properties.appSecret());
    body.put("force_refresh", force);
    var answer =
        post(
            "stable_token",
            properties.endpoint("/cgi-bin/stable_token"),
            body,
            properties.timeout());
    var token = answer.path("access_token").asString("");
    long expiresIn = answer.path("expires_in").asLong(0);
    if (token.isBlank() || expiresIn <= 0) {
      throw new WechatCallException("malformed", 0, "stable_token answered without a token");
    }
    return new IssuedToken(token, Duration.ofSeconds(expiresIn));
  }

  /**
   * {@code POST /wxa/msg_sec_check}, version 2, for at most 2,500 characters.
   *
   * @throws WechatCallException when WeChat gave no verdict
   */
  public Verdict msgSecCheck(
      String accessToken, String openid, int scene, String content, Duration timeout) {
    var body = new LinkedHashMap<String, Object>();
    body.put("version", 2);
    body.put("openid", openid);
    body.put("scene", scene);
    body.put("content", content);
    var answer =
        post(
            "msg_sec_check",
            properties.endpoint("/wxa/msg_sec_check") + "?access_token=" + encode(accessToken),
            body,
            timeout);
    var result = answer.path("result");
    int label = result.path("label").asInt(0);
    return switch (result.path("suggest").asString("")) {
      case "pass" -> Verdict.PASS;
      case "review" -> new Verdict.Review(label);
      case "risky" -> new Verdict.Risky(label);
      default -> throw new WechatCallException("malformed", 0, "msg_sec_check answered no suggest");
    };
  }

  private JsonNode post(String call, String url, Map<String, Object> body, Duration timeout) {
    var request = new HttpPost(url);
    request.setEntity(
        new ByteArrayEntity(json.writeValueAsBytes(body), ContentType.APPLICATION_JSON));
    return call(call, request, timeout);
  }

  private JsonNode call(String call, HttpUriRequestBase request, Duration timeout) {
    // Apache's timeouts are per wait (for a pooled connection, for each read), not per call: a call
    // gets the connect timeout plus this; WeChat's answers are one small read.
    request.setConfig(
        RequestConfig.custom()
            .setConnectionRequestTimeout(Timeout.of(timeout))
            .setResponseTimeout(Timeout.of(timeout))
            .build());
    Answer answered;
    try {
      answered =
          http.execute(
              request,
              response -> {
                var entity = response.getEntity();
                if (entity == null) {
                  return new Answer(response.getCode(), new byte[0]);
                }
                try (var in = entity.getContent()) {
                  var bytes = in.readNBytes(MAX_BODY_BYTES + 1);
                  if (bytes.length > MAX_BODY_BYTES) {
                    // Thrown out of the handler, so the client drops the connection instead of
                    // reading the rest of the body to reuse it.
                    throw new WechatCallException(
                        "malformed", 0, call + " answered more than " + MAX_BODY_BYTES + " bytes");
                  }
                  return new Answer(response.getCode(), bytes);
                }
              });
    } catch (InterruptedIOException e) {
      // Connect, connection-pool and read timeouts alike.
      throw new WechatCallException("timeout", 0, call + " timed out after " + timeout);
    } catch (IOException e) {
      throw new WechatCallException("io", 0, call + " failed: " + e.getClass().getSimpleName());
    }
    int status = answered.status();
    if (status != 200) {
      throw new WechatCallException(
          status >= 500 ? "http" : "http_status", 0, call + " answered HTTP " + status);
    }
    JsonNode answer;
    try {
      answer = json.readTree(answered.body());
    } catch (JacksonException e) {
      throw new WechatCallException("malformed", 0, call + " answered a body that is not JSON");
    }
    int errcode = answer.path("errcode").asInt(0);
    if (errcode != 0) {
      throw WechatCallException.errcode(call, errcode);
    }
    return answer;
  }

  private record Answer(int status, byte[] body) {}

  private static String encode(@Nullable String value) {
    return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
  }

  /**
   * Sends a request again, at once, when the server closed a kept-alive connection of the pool
   * before answering on it ({@code NoHttpResponseException}): the JDK's client noticed such closes
   * in the background, this one finds out by using the connection. After a burst the pool may hold
   * several, hence more than one retry; each costs a write and a read of the closed socket. Other
   * failures are WechatTextChecker's to retry: once, and never after a rate limit.
   */
  static final class ClosedConnectionRetry implements HttpRequestRetryStrategy {

    static final int MAX_RETRIES = 3;

    @Override
    public boolean retryRequest(
        HttpRequest request, IOException failure, int execCount, HttpContext context) {
      return failure instanceof NoHttpResponseException && execCount <= MAX_RETRIES;
    }

    @Override
    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
      return false;
    }

    @Override
    public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
      return TimeValue.ZERO_MILLISECONDS;
    }
  }

  @Override
  public void close() throws IOException {
    http.close();
  }
}
