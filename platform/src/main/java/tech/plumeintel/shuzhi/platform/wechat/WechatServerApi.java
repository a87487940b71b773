package tech.plumeintel.shuzhi.platform.wechat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The two WeChat server endpoints we call with JSON bodies: {@code cgi-bin/stable_token} and {@code
 * wxa/msg_sec_check} (version 2). WeChat answers errors with HTTP 200 and an {@code errcode}. The
 * access token travels in the URL and the secret in the body, so neither URL nor body is ever
 * logged or put in an exception.
 */
public final class WechatServerApi {

  private static final int MAX_BODY_BYTES = 64 * 1024;

  private final WechatServerProperties properties;
  private final HttpClient http;
  private final JsonMapper json = JsonMapper.builder().build();

  public WechatServerApi(WechatServerProperties properties) {
    this.properties = properties;
    this.http =
        HttpClient.newBuilder()
            // HTTP/1.1: small JSON calls gain nothing from HTTP/2. Under the JDK's default (HTTP/2,
            // tried by upgrading a first cleartext request) one run in four of SharedAccessTokenIT
            // saw a concurrent stable_token request reach the stand-in without its body; pinned,
            // none in six so far.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(properties.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
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
            properties.endpoint("/wxa/msg_sec_check")
                + "?access_token="
                + URLEncoder.encode(accessToken, StandardCharsets.UTF_8),
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
    var request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
            .build();
    byte[] bytes;
    int status;
    try {
      var response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      status = response.statusCode();
      try (var in = response.body()) {
        bytes = in.readNBytes(MAX_BODY_BYTES);
      }
    } catch (HttpTimeoutException e) {
      throw new WechatCallException("timeout", 0, call + " timed out after " + timeout);
    } catch (IOException e) {
      throw new WechatCallException("io", 0, call + " failed: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WechatCallException("io", 0, call + " interrupted");
    }
    if (status != 200) {
      throw new WechatCallException(
          status >= 500 ? "http" : "http_status", 0, call + " answered HTTP " + status);
    }
    JsonNode answer;
    try {
      answer = json.readTree(bytes);
    } catch (JacksonException e) {
      throw new WechatCallException("malformed", 0, call + " answered a body that is not JSON");
    }
    int errcode = answer.path("errcode").asInt(0);
    if (errcode != 0) {
      throw WechatCallException.errcode(call, errcode);
    }
    return answer;
  }
}
