package tech.plumeintel.shuzhi.platform.wechat;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * WeChat content security on questions, answers and profiles ({@code SHUZHI_CONTENT_SECURITY_*}).
 *
 * @param enabled on or off; unset means on exactly when WeChat credentials are set (and, in the
 *     {@code local} profile without them, the offline stand-in)
 * @param onFailure what a check that WeChat could not answer ({@code -1}, timeout, 5xx, {@code
 *     45009}) means: {@code fail-open} lets the text through (counted and logged), {@code
 *     fail-closed} refuses it with {@code 503 UPSTREAM_ERROR}
 * @param timeout one call's limit; a question waits at most twice this (one retry) before its
 *     stream starts
 * @param questionScene {@code msg_sec_check}'s scene for questions (1 profile, 2 comment, 3 forum,
 *     4 social log); profiles always use 1
 * @param answerScene the scene for generated answers
 * @param answerWindow characters of generated text checked together; the stream never runs more
 *     than one window ahead of its checks
 * @param avatarHosts hosts a profile's avatar URL may point at
 * @param offlineRiskyPhrase what the offline stand-in judges risky (everything else passes)
 */
@ConfigurationProperties("shuzhi.content-security")
public record ContentSecurityProperties(
    @Nullable Boolean enabled,
    @DefaultValue("fail-open") FailurePolicy onFailure,
    @DefaultValue("1500ms") Duration timeout,
    @DefaultValue("2") int questionScene,
    @DefaultValue("2") int answerScene,
    @DefaultValue("500") int answerWindow,
    @DefaultValue("thirdwx.qlogo.cn") List<String> avatarHosts,
    @DefaultValue("内容安全测试") String offlineRiskyPhrase) {

  /** What an unanswered check means. */
  public enum FailurePolicy {
    FAIL_OPEN,
    FAIL_CLOSED
  }
}
