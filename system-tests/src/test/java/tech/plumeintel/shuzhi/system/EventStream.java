package tech.plumeintel.shuzhi.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A chat stream as the mini-program reads it: Server-Sent Events (or ndjson lines) parsed as they
 * arrive by a reader thread of its own, so that a test waits for each event a bounded time and a
 * stream that hangs fails the test instead of hanging it.
 */
final class EventStream implements AutoCloseable {

  /** How long any one event may take to arrive before the stream counts as hung. */
  static final Duration EVENT_TIMEOUT = Duration.ofSeconds(15);

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Event END = new Event(null, null, "");

  /**
   * One event: {@code id} and {@code type} as in its {@code id:} and {@code event:} lines (both
   * null for ndjson), {@code data} as sent.
   */
  record Event(@Nullable Long id, @Nullable String type, String data) {
    boolean isDone() {
      return data.equals("[DONE]") || data.equals("{\"done\":true}");
    }

    boolean isError() {
      // ndjson has no event type: its error line is the object with OpenAI's error member.
      return "error".equals(type) || (data.startsWith("{") && json().has("error"));
    }

    boolean endsStream() {
      return isDone() || isError();
    }

    JsonNode json() {
      return JSON.readTree(data);
    }

    /** The text of one delta field ({@code content} or {@code reasoning_content}), or "". */
    String delta(String field) {
      if (isDone() || isError()) {
        return "";
      }
      var value = json().path("choices").path(0).path("delta").path(field);
      return value.isString() ? value.asString() : "";
    }
  }

  private final HttpResponse<InputStream> response;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final AtomicInteger pings = new AtomicInteger();
  private volatile boolean ended;

  private EventStream(HttpResponse<InputStream> response, boolean ndjson) {
    this.response = response;
    Thread.ofVirtual().name("event-stream-reader").start(() -> read(ndjson));
  }

  static EventStream open(HttpClient client, HttpRequest request) {
    try {
      var response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      var contentType = response.headers().firstValue("Content-Type").orElse("");
      return new EventStream(response, contentType.startsWith("application/x-ndjson"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  int status() {
    return response.statusCode();
  }

  @Nullable String header(String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  String requestId() {
    return response.headers().firstValue("X-Request-Id").orElseThrow();
  }

  /** Comment lines ({@code : ping}) or, in ndjson, empty lines received so far. */
  int pings() {
    return pings.get();
  }

  /** The next event; fails when none comes in time or the stream ended. */
  Event next() {
    Event event;
    try {
      event = events.poll(EVENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (event == null) {
      throw new AssertionError(
          "no event within " + EVENT_TIMEOUT.toSeconds() + " s: the stream hangs");
    }
    if (event == END) {
      events.offer(END);
      throw new AssertionError("the stream ended without a last event");
    }
    return event;
  }

  List<Event> next(int count) {
    var read = new ArrayList<Event>(count);
    while (read.size() < count) {
      read.add(next());
    }
    return read;
  }

  /** Every event up to and including the one that ends the stream ({@code [DONE]} or an error). */
  List<Event> untilEnd() {
    var read = new ArrayList<Event>();
    Event event;
    do {
      event = next();
      read.add(event);
    } while (!event.endsStream());
    return read;
  }

  /** True once the server has closed the response. */
  boolean closedByServer() {
    return ended;
  }

  /** Drops the connection, as a mini-program sent to the background does. */
  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  private void read(boolean ndjson) {
    try (var reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.US_ASCII))) {
      Long id = null;
      String type = null;
      var data = new StringBuilder();
      for (String line; (line = reader.readLine()) != null; ) {
        if (ndjson) {
          if (line.isEmpty()) {
            pings.incrementAndGet();
          } else {
            events.offer(new Event(null, null, line));
          }
        } else if (line.startsWith(":")) {
          pings.incrementAndGet();
        } else if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        } else if (line.isEmpty() && !data.isEmpty()) {
          events.offer(new Event(id, type, data.toString()));
          id = null;
          type = null;
          data.setLength(0);
        }
      }
    } catch (IOException e) {
      // The connection was dropped, by us or by the server.
    } finally {
      ended = true;
      events.offer(END);
    }
  }
}
