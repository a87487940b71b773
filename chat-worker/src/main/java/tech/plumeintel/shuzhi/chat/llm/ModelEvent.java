package tech.plumeintel.shuzhi.chat.llm;

import tech.plumeintel.shuzhi.common.history.TokenUsage;

/** What a generation yields, in order: thinking, then answer, then how it finished and its cost. */
public sealed interface ModelEvent {

  /** A piece of the model's thinking ({@code delta.reasoning_content}). */
  record Reasoning(String text) implements ModelEvent {}

  /** A piece of the answer ({@code delta.content}). */
  record Content(String text) implements ModelEvent {}

  /** The model stopped, for this reason ({@code stop}, {@code length}, {@code content_filter}…). */
  record Finished(String reason) implements ModelEvent {}

  /** The tokens the generation cost. */
  record Usage(TokenUsage tokens) implements ModelEvent {}

  /**
   * The generation starts over (it broke off while thinking, or its upstream cannot continue a
   * prefix): everything yielded before is void, a whole new answer follows.
   */
  record Reset() implements ModelEvent {}

  /** Nothing arrived in the time the reader was willing to wait; the stream is still alive. */
  record Silence() implements ModelEvent {}

  /** The stream is over; nothing follows. */
  record End() implements ModelEvent {}

  Silence SILENCE = new Silence();
  End END = new End();
  Reset RESET = new Reset();
}
