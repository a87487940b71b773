package tech.plumeintel.shuzhi.api.contentsecurity;

import java.util.List;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;
import tech.plumeintel.shuzhi.platform.wechat.CheckTarget;
import tech.plumeintel.shuzhi.platform.wechat.ContentSecurity;

/**
 * Checks the reader's new question before its chat job is published, so a risky question never
 * reaches Kafka, a worker or the model. It costs the stream's first token one WeChat round trip
 * (two at worst, with the one retry), each bounded by {@code shuzhi.content-security.timeout};
 * earlier turns were checked when they were asked, and answers by the worker.
 */
@Component
public class QuestionCheck {

  static final String REFUSAL = "你的问题包含不适宜的内容，请修改后再试";

  private final ReaderTextCheck check;
  private final int scene;

  QuestionCheck(ReaderTextCheck check, ContentSecurity security) {
    this.check = check;
    this.scene = security.properties().questionScene();
  }

  /**
   * @throws tech.plumeintel.shuzhi.api.web.ApiException {@code CONTENT_REJECTED} when WeChat judged
   *     the question risky; {@code UPSTREAM_ERROR} when it could not judge it and the policy is
   *     fail-closed
   */
  public void requireAllowed(String userId, List<ChatMessage> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      var message = messages.get(i);
      if (message.role() == ChatMessage.Role.USER) {
        check.require(CheckTarget.QUESTION, userId, scene, message.content(), REFUSAL);
        return;
      }
    }
  }
}
