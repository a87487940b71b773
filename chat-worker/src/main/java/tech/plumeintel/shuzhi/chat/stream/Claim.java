package tech.plumeintel.shuzhi.chat.stream;

/** What claiming a job found. */
public enum Claim {
  /** This worker generates the stream. */
  TAKEN,
  /** Another delivery of the job was claimed before (a redelivered record): do nothing. */
  ALREADY_TAKEN,
  /** This worker took it, but the user stopped it before it started. */
  CANCELLED
}
