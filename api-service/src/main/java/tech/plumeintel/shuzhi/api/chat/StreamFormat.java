package tech.plumeintel.shuzhi.api.chat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * How frames are written to the client: Server-Sent Events (the default) or ndjson, the same JSON
 * objects in both (an error is its {@code code}, {@code message} and OpenAI {@code error} member,
 * under {@code event: error} in SSE).
 */
enum StreamFormat {
  SSE(MediaType.TEXT_EVENT_STREAM) {
    @Override
    byte[] render(StreamFrame frame) {
      var text =
          switch (frame.kind()) {
            case CHUNK -> "id: " + frame.seq() + "\ndata: " + frame.payload() + "\n\n";
            case ERROR -> id(frame) + "event: error\ndata: " + frame.payload() + "\n\n";
            case DONE -> id(frame) + "data: [DONE]\n\n";
            case HEARTBEAT -> "";
          };
      return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    byte @Nullable [] ping() {
      return ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    }

    /** Sets the client's reconnection delay; a block without data is not an event. */
    @Override
    byte @Nullable [] opening(Duration retry) {
      return ("retry: " + retry.toMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String id(StreamFrame frame) {
      return frame.seq() > 0 ? "id: " + frame.seq() + "\n" : "";
    }
  },

  NDJSON(MediaType.parseMediaType("application/x-ndjson")) {
    @Override
    byte[] render(StreamFrame frame) {
      var text =
          switch (frame.kind()) {
            case CHUNK -> frame.payload() + "\n";
            case ERROR -> frame.payload() + "\n";
            case DONE -> "{\"done\":true}\n";
            case HEARTBEAT -> "";
          };
      return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** ndjson has no comments; an empty line keeps the connection busy and parsers skip it. */
    @Override
    byte @Nullable [] ping() {
      return "\n".getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    byte @Nullable [] opening(Duration retry) {
      return null;
    }
  };

  private final MediaType mediaType;

  StreamFormat(MediaType mediaType) {
    this.mediaType = mediaType;
  }

  MediaType mediaType() {
    return mediaType;
  }

  abstract byte[] render(StreamFrame frame);

  abstract byte @Nullable [] ping();

  /** What the stream starts with, before any event. */
  abstract byte @Nullable [] opening(Duration retry);

  static StreamFormat forAccept(@Nullable String accept) {
    if (accept != null
        && accept.contains("application/x-ndjson")
        && !accept.contains("text/event-stream")) {
      return NDJSON;
    }
    return SSE;
  }

  /** An error of our own (not the worker's) as a frame, written as the worker writes its own. */
  static StreamFrame errorFrame(String code, String message) {
    return StreamFrame.error(0, StreamFrame.errorPayload(code, message));
  }
}
