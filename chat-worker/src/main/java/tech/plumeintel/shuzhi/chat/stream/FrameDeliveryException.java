package tech.plumeintel.shuzhi.chat.stream;

/** Redis did not take a frame in time: the stream cannot reach the client any more. */
public final class FrameDeliveryException extends RuntimeException {

  FrameDeliveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
