package tech.plumeintel.shuzhi.chat.takeover;

/** Runs the continuation of a claimed stream on a stream slot of this worker. */
public interface StreamContinuer {

  /** Free stream slots, which bound how many lapsed streams this worker claims at once. */
  int freeSlots();

  /**
   * @return false when no slot was free after all; the stream is then given back
   */
  boolean tryContinue(Resumption resumption);
}
