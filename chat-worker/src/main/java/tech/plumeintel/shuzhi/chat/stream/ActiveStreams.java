package tech.plumeintel.shuzhi.chat.stream;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.chat.llm.ModelStream;

/** The streams this worker is generating, by request id, so that a cancel can reach its stream. */
@Component
public class ActiveStreams {

  private final ConcurrentHashMap<String, Handle> streams = new ConcurrentHashMap<>();

  /**
   * Registers a stream before it is claimed, so a cancel arriving from then on is not lost.
   *
   * @return empty when a stream of that id already runs here (a redelivery racing the first)
   */
  public Optional<Handle> register(String requestId) {
    var handle = new Handle(requestId);
    return streams.putIfAbsent(requestId, handle) == null ? Optional.of(handle) : Optional.empty();
  }

  /**
   * @return whether a stream of that id runs here
   */
  boolean cancel(String requestId) {
    var handle = streams.get(requestId);
    if (handle == null) {
      return false;
    }
    handle.cancel();
    return true;
  }

  public int size() {
    return streams.size();
  }

  /** One stream's cancel switch. */
  public final class Handle implements AutoCloseable {

    private final String requestId;
    private volatile boolean cancelled;
    private volatile @Nullable ModelStream model;

    private Handle(String requestId) {
      this.requestId = requestId;
    }

    /** Gives the handle the generation to stop; stops it at once if the cancel came first. */
    public void attach(ModelStream stream) {
      model = stream;
      if (cancelled) {
        stream.close();
      }
    }

    public boolean cancelled() {
      return cancelled;
    }

    void cancel() {
      cancelled = true;
      var stream = model;
      if (stream != null) {
        stream.close();
      }
    }

    @Override
    public void close() {
      streams.remove(requestId, this);
    }
  }
}
