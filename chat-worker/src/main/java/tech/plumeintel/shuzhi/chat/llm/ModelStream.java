package tech.plumeintel.shuzhi.chat.llm;

import java.time.Duration;
import java.util.List;

/** One generation in progress, read by one thread; {@link #close()} may come from any thread. */
public interface ModelStream extends AutoCloseable {

  /**
   * The next event, {@link ModelEvent.Silence} when none came within {@code wait} (a zero wait
   * returns only what has arrived already), and {@link ModelEvent.End} (repeatedly) once the model
   * has finished.
   *
   * @throws ModelException when the model failed, timed out, or the stream was closed
   */
  ModelEvent next(Duration wait) throws ModelException;

  /** The model's own name for itself once it has said it, else the configured one. */
  String model();

  /** The upstream answering now ({@code primary}, {@code fallback-0}, …). */
  String upstream();

  /**
   * How the answer was continued after its first token, in order, as {@code "<mode> <upstream>"}
   * ({@code prefix fallback-0}, {@code restart primary}); empty when it never broke off.
   */
  List<String> continuations();

  /** Stops the generation, aborting the upstream connection; a blocked {@link #next} returns. */
  @Override
  void close();
}
