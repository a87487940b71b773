package tech.plumeintel.shuzhi.api.auth;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.ErrorCode;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * WeChat's {@code sns/jscode2session}. WeChat answers errors with HTTP 200 and an {@code errcode}.
 * A code is single-use, so a failed exchange is never retried with it. The URL carries the app
 * secret and the code, so neither the URL nor the body is ever logged.
 */
final class JscodeToSession implements CodeExchange {

  private static final Logger log = LoggerFactory.getLogger(JscodeToSession.class);
  private static final int MAX_BODY_BYTES = 16 * 1024;

  private final WechatProperties properties;
  private final HttpClient http;
  private final JsonMapper json = JsonMapper.builder().build();

  JscodeToSession(WechatProperties properties) {
    this.properties = properties;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(properties.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public WechatIdentity exchange(String code) {
    var body = call(code);
    JsonNode answer;
    try {
      answer = json.readTree(body);
    } catch (JacksonException e) {
      log.warn(
          "WeChat answered jscode2session with a body that is not JSON ({} bytes)", body.length());
      throw unavailable();
    }
    int errcode = answer.path("errcode").asInt(0);
    if (errcode != 0) {
      throw refusal(errcode);
    }
    var openid = answer.path("openid").asString("");
    if (openid.isBlank()) {
      log.warn("WeChat answered jscode2session without an openid");
      throw unavailable();
    }
    var unionid = answer.path("unionid").asString("");
    return new WechatIdentity(openid, unionid.isBlank() ? null : unionid);
  }

  private String call(String code) {
    var uri =
        URI.create(
            properties.baseUrl().toString().replaceAll("/+$", "")
                + "/sns/jscode2session?appid="
                + encode(properties.appId())
                + "&secret="
                + encode(properties.appSecret())
                + "&js_code="
                + encode(code)
                + "&grant_type=authorization_code");
    var request = HttpRequest.newBuilder(uri).timeout(properties.timeout()).GET().build();
    try {
      var response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (var in = response.body()) {
        var bytes = in.readNBytes(MAX_BODY_BYTES);
        if (response.statusCode() != 200) {
          log.warn("WeChat answered jscode2session with HTTP {}", response.statusCode());
          throw unavailable();
        }
        return new String(bytes, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      log.warn("WeChat jscode2session failed: {}", e.getClass().getSimpleName());
      throw unavailable();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable();
    }
  }

  private static ApiException refusal(int errcode) {
    return switch (errcode) {
      case 40029, 40163 -> ApiException.unauthorized("登录凭证无效或已被使用，请重新登录");
      case 40226 -> ApiException.unauthorized("微信判定该账号存在风险，暂时无法登录");
      case 45011 -> ApiException.rateLimited("登录太频繁，请稍后再试", Duration.ofSeconds(60));
      default -> {
        // -1 is WeChat being busy; other codes (bad app id or secret) are our configuration.
        log.warn("WeChat refused jscode2session with errcode {}", errcode);
        yield unavailable();
      }
    };
  }

  private static ApiException unavailable() {
    return new ApiException(ErrorCode.UPSTREAM_ERROR, "微信登录服务暂时不可用，请稍后再试");
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
