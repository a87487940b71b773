package tech.plumeintel.shuzhi.api.contentsecurity;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.ErrorCode;
import tech.plumeintel.shuzhi.platform.wechat.CheckTarget;
import tech.plumeintel.shuzhi.platform.wechat.ContentSecurity;
import tech.plumeintel.shuzhi.platform.wechat.ReaderOpenids;
import tech.plumeintel.shuzhi.platform.wechat.Verdict;

/**
 * Turns a check's verdict on a reader's text into the API's answer: {@code risky} refuses it with
 * {@code 400 CONTENT_REJECTED}; {@code review} lets it through and records it (a log line with the
 * reader and WeChat's label, and the checks metric); a check WeChat could not answer lets it
 * through ({@code fail-open}) or refuses it with {@code 503 UPSTREAM_ERROR} ({@code fail-closed}).
 */
@Component
class ReaderTextCheck {

  private static final Logger log = LoggerFactory.getLogger(ReaderTextCheck.class);

  private final ContentSecurity security;
  private final ReaderOpenids openids;

  ReaderTextCheck(ContentSecurity security, ReaderOpenids openids) {
    this.security = security;
    this.openids = openids;
  }

  boolean enabled() {
    return security.enabled();
  }

  void require(CheckTarget target, String userId, int scene, String text, String refusal) {
    if (!security.enabled() || text.isBlank()) {
      return;
    }
    var openid = openids.of(userId);
    Verdict verdict =
        openid.isPresent()
            ? security.check(target, openid.get(), scene, text)
            : new Verdict.Unchecked("no_openid");
    switch (verdict) {
      case Verdict.Pass ignored -> {}
      case Verdict.Review review ->
          log.info(
              "The {} of reader {} is allowed for review (WeChat label {})",
              target.tag(),
              userId,
              review.label());
      case Verdict.Risky risky -> {
        log.info(
            "The {} of reader {} was refused as risky (WeChat label {})",
            target.tag(),
            userId,
            risky.label());
        throw new ApiException(ErrorCode.CONTENT_REJECTED, refusal);
      }
      case Verdict.Unchecked unchecked -> {
        if (security.failClosed()) {
          throw new ApiException(ErrorCode.UPSTREAM_ERROR, "内容安全检查暂时不可用，请稍后再试");
        }
      }
    }
  }
}
