package tech.plumeintel.shuzhi.api.chat;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;

/** The body of {@code POST /api/chat/stream/}, checked by {@link #messagesChecked()}. */
record ChatStreamRequest(
    @Nullable String isbn, @Nullable List<Turn> messages, @Nullable String clientMsgId) {

  static final int MAX_MESSAGES = 40;
  static final int MAX_CONTENT = 4_000;
  static final int MAX_TOTAL = 32_000;

  record Turn(@Nullable String role, @Nullable String content) {}

  /**
   * The conversation as the worker gets it. Clients may send only user and assistant turns (the
   * system prompt is ours), and the last turn is the question.
   */
  List<ChatMessage> messagesChecked() {
    if (messages == null || messages.isEmpty() || messages.size() > MAX_MESSAGES) {
      throw ApiException.invalid("messages 须为 1 到 " + MAX_MESSAGES + " 条");
    }
    int total = 0;
    var checked = new ArrayList<ChatMessage>(messages.size());
    for (var turn : messages) {
      if (turn == null || turn.role() == null || turn.content() == null) {
        throw ApiException.invalid("每条消息都要有 role 和 content");
      }
      var role =
          switch (turn.role()) {
            case "user" -> ChatMessage.Role.USER;
            case "assistant" -> ChatMessage.Role.ASSISTANT;
            default -> throw ApiException.invalid("role 只能是 user 或 assistant");
          };
      var length = turn.content().length();
      if (turn.content().isBlank() || length > MAX_CONTENT) {
        throw ApiException.invalid("每条消息须为 1 到 " + MAX_CONTENT + " 个字符");
      }
      // An unpaired surrogate is a valid JSON escape but not text: the model's API would refuse it.
      if (turn.content()
          .codePoints()
          .anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
        throw ApiException.invalid("消息含有无效字符");
      }
      total += length;
      checked.add(new ChatMessage(role, turn.content()));
    }
    if (total > MAX_TOTAL) {
      throw ApiException.invalid("对话总长不能超过 " + MAX_TOTAL + " 个字符");
    }
    if (checked.getLast().role() != ChatMessage.Role.USER) {
      throw ApiException.invalid("最后一条消息须是用户的提问");
    }
    return List.copyOf(checked);
  }

  @Nullable String clientMsgIdChecked() {
    if (clientMsgId == null) {
      return null;
    }
    if (!clientMsgId.matches("[A-Za-z0-9_.:-]{1,64}")) {
      throw ApiException.invalid("client_msg_id 须为 1 到 64 个字母、数字或 _.:-");
    }
    return clientMsgId;
  }
}
