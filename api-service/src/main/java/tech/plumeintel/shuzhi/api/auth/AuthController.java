package tech.plumeintel.shuzhi.api.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tech.plumeintel.shuzhi.api.user.UserAccount.UserView;
import tech.plumeintel.shuzhi.api.user.UserAccounts;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.RateLimits;

/** The two endpoints reachable without a token. */
@RestController
@RequestMapping("/api/auth")
class AuthController {

  private final CodeExchange wechat;
  private final UserAccounts users;
  private final Tokens tokens;
  private final UsedRefreshTokens usedRefreshTokens;
  private final RateLimits limits;

  AuthController(
      CodeExchange wechat,
      UserAccounts users,
      Tokens tokens,
      UsedRefreshTokens usedRefreshTokens,
      RateLimits limits) {
    this.limits = limits;
    this.wechat = wechat;
    this.users = users;
    this.tokens = tokens;
    this.usedRefreshTokens = usedRefreshTokens;
  }

  @PostMapping("/login/wechat/")
  LoginAnswer login(@Valid @RequestBody WechatLogin request, HttpServletRequest servletRequest) {
    limits.take(RateLimits.Limit.LOGIN_ADDRESS, servletRequest.getRemoteAddr());
    var identity = wechat.exchange(request.code());
    var user = users.signIn(identity.openid(), identity.unionid());
    return LoginAnswer.of(tokens.issue(user.id()), user.view());
  }

  @PostMapping("/token/refresh/")
  LoginAnswer refresh(@Valid @RequestBody TokenRefresh request) {
    var refresh = tokens.refreshToken(request.refreshToken());
    if (!usedRefreshTokens.markUsed(refresh)) {
      throw ApiException.unauthorized("刷新凭证已使用过，请重新登录");
    }
    var user =
        users.find(refresh.userId()).orElseThrow(() -> ApiException.unauthorized("用户不存在，请重新登录"));
    return LoginAnswer.of(tokens.issue(user.id()), user.view());
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
