package tech.plumeintel.shuzhi.chat.llm;

import tech.plumeintel.shuzhi.chat.prompt.Prompt;

/** Something that answers a prompt token by token: the LLM, or the offline stand-in. */
public interface ChatModel {

  /**
   * Starts a generation. Nothing blocks here: failures to connect surface from {@link
   * ModelStream#next}.
   *
   * @param user the end user's id, passed on for the provider's abuse tracking
   */
  ModelStream stream(Prompt prompt, String user);

  /**
   * Continues an answer of which the reader was shown {@code delivered} (by a worker that died):
   * the stream yields only what follows it, or a {@link ModelEvent.Reset} first and then a whole
   * new answer when the text cannot be continued (thinking was cut, or the upstream restarts).
   */
  ModelStream resume(Prompt prompt, String user, Delivered delivered);

  /** The configured model name, for frames written before the model names itself. */
  String name();
}
