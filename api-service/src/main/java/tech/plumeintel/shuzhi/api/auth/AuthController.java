package tech.plumeintel.shuzhi.api.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tech.plumeintel.shuzhi.api.user.UserAccount.UserView;
import tech.plumeintel.shuzhi.api.user.UserAccounts;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.RateLimits;

/** Login and refresh, the two endpoints reachable without a token, and logout. */
@RestController
@RequestMapping("/api/auth")
class AuthController {

  private static final String BEARER = "Bearer ";

  private final CodeExchange wechat;
  private final UserAccounts users;
  private final Tokens tokens;
  private final TokenFamilies families;
  private final RateLimits limits;

  AuthController(
      CodeExchange wechat,
      UserAccounts users,
      Tokens tokens,
      TokenFamilies families,
      RateLimits limits) {
    this.limits = limits;
    this.wechat = wechat;
    this.users = users;
    this.tokens = tokens;
    this.families = families;
  }

  @PostMapping("/login/wechat/")
  LoginAnswer login(@Valid @RequestBody WechatLogin request, HttpServletRequest servletRequest) {
    limits.take(RateLimits.Limit.LOGIN_ADDRESS, servletRequest.getRemoteAddr());
    var identity = wechat.exchange(request.code());
    var user = users.signIn(identity.openid(), identity.unionid());
    return LoginAnswer.of(tokens.issue(user.id()), user.view());
  }

  /**
   * Rotation: each refresh token works once and its successor stays in its family. A replayed one
   * revokes the family (see {@link TokenFamilies}); so does a logout.
   */
  @PostMapping("/token/refresh/")
  LoginAnswer refresh(@Valid @RequestBody TokenRefresh request, HttpServletRequest servletRequest) {
    // Without a limit, refresh tokens could be guessed or replayed at the rate of the network.
    limits.take(RateLimits.Limit.LOGIN_ADDRESS, servletRequest.getRemoteAddr());
    var refresh = tokens.refreshToken(request.refreshToken());
    if (families.isRevoked(refresh.family())) {
      throw ApiException.unauthorized("登录已失效，请重新登录");
    }
    if (!families.rotate(refresh)) {
      throw ApiException.unauthorized("刷新凭证已使用过，为安全起见本次登录已全部失效，请重新登录");
    }
    var user =
        users.find(refresh.userId()).orElseThrow(() -> ApiException.unauthorized("用户不存在，请重新登录"));
    return LoginAnswer.of(tokens.renew(refresh), user.view());
  }

  /**
   * Ends the caller's login: every token of its family, refresh and access, stops working (access
   * tokens within {@link JwtProperties#standingRecheck()} on every instance). The access token
   * filter has already proved the bearer token.
   */
  @PostMapping("/logout/")
  Map<String, Object> logout(@RequestHeader(HttpHeaders.AUTHORIZATION) String authorization) {
    var access = tokens.access(authorization.substring(BEARER.length()).trim());
    families.revoke(access.family());
    tokens.forget(authorization.substring(BEARER.length()).trim());
    return Map.of("logged_out", true);
  }

  /** A {@code wx.login} code: short, printable ASCII. */
  record WechatLogin(@NotBlank @Size(max = 128) @Pattern(regexp = "[\\x21-\\x7e]+") String code) {}

  record TokenRefresh(@NotBlank @Size(max = 2048) String refreshToken) {}

  record LoginAnswer(String token, String refreshToken, long expiresIn, UserView user) {
    static LoginAnswer of(Tokens.TokenPair pair, UserView user) {
      return new LoginAnswer(pair.accessToken(), pair.refreshToken(), pair.expiresIn(), user);
    }
  }
}
