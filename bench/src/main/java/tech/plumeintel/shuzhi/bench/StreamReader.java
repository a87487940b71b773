package tech.plumeintel.shuzhi.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * Reads event streams for the bench on one thread: a selector over non-blocking sockets, one
 * connection per stream, each response's body (chunked or to the connection's end) cut into lines
 * for its {@link ChatStream}, as the JDK client's line subscriber cuts them.
 *
 * <p>The bench shares the machine's two cores with what it measures. Reading 20,000 tokens/s over
 * 100 streams cost the JDK HTTP client's selector thread 0.32 cores (flight recording of the relay
 * phase, 2026-12-05), half of what the API spent relaying them; a reader that only cuts lines
 * spends a fraction of that, as {@code wrk} does beside the lookup client. Streams whose time to
 * the first token is measured stay on the JDK client, which keeps connections alive between chats
 * as a mini-program's runtime does.
 */
final class StreamReader implements AutoCloseable {

  private static final int MAX_HEAD = 16 * 1024;

  private final Selector selector;
  private final Queue<Connection> pending = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean open = true;

  StreamReader() throws IOException {
    this.selector = Selector.open();
    this.thread = Thread.ofPlatform().name("bench-stream-reader").daemon().start(this::loop);
  }

  /**
   * Sends a request on a connection of its own; the response's lines go to {@code stream}, which
   * fails when the status is not 200.
   */
  void send(
      URI uri,
      String method,
      Map<String, String> headers,
      @Nullable String body,
      ChatStream stream) {
    var head = new StringBuilder(256);
    head.append(method).append(' ').append(uri.getRawPath()).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
    head.append("Accept: text/event-stream\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    var content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      head.append("Content-Length: ").append(content.length).append("\r\n");
    }
    head.append("\r\n");
    var headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
    var request = ByteBuffer.allocate(headBytes.length + content.length);
    request.put(headBytes).put(content).flip();
    pending.add(
        new Connection(new InetSocketAddress(uri.getHost(), uri.getPort()), request, stream));
    selector.wakeup();
  }

  private void loop() {
    var buffer = ByteBuffer.allocateDirect(64 * 1024);
    while (open) {
      try {
        selector.select(key -> ready(key, buffer), 1_000);
      } catch (IOException e) {
        throw new IllegalStateException("the bench's stream reader failed", e);
      }
      for (Connection connection; (connection = pending.poll()) != null; ) {
        connection.connect(selector);
      }
    }
  }

  private static void ready(SelectionKey key, ByteBuffer buffer) {
    var connection = (Connection) key.attachment();
    try {
      if (key.isConnectable()) {
        connection.channel.finishConnect();
        key.interestOps(SelectionKey.OP_WRITE);
      }
      if (key.isValid() && key.isWritable()) {
        connection.channel.write(connection.request);
        if (!connection.request.hasRemaining()) {
          key.interestOps(SelectionKey.OP_READ);
        }
      }
      if (key.isValid() && key.isReadable()) {
        buffer.clear();
        int read = connection.channel.read(buffer);
        if (read < 0) {
          connection.ended();
        } else {
          buffer.flip();
          connection.feed(buffer);
        }
      }
    } catch (IOException | RuntimeException e) {
      connection.fail(e);
    }
  }

  @Override
  public void close() throws IOException {
    open = false;
    selector.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (var key : selector.keys()) {
      key.channel().close();
    }
    selector.close();
  }

  /** Where a response's parser is. */
  private enum State {
    HEAD,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    SIZED,
    TO_CLOSE,
    DONE
  }

  /** One request and its response, parsed as the bytes arrive. */
  private static final class Connection implements Flow.Subscription {

    private final InetSocketAddress address;
    private final ByteBuffer request;
    private final ChatStream stream;
    private @Nullable SocketChannel channel;
    private State state = State.HEAD;
    private byte[] head = new byte[1024];
    private int headLength;
    private byte[] line = new byte[512];
    private int lineLength;
    private long chunkLeft;
    private long bodyLeft;
    private boolean sizeRead;

    Connection(InetSocketAddress address, ByteBuffer request, ChatStream stream) {
      this.address = address;
      this.request = request;
      this.stream = stream;
    }

    void connect(Selector selector) {
      try {
        channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        boolean connected = channel.connect(address);
        channel.register(
            selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, this);
      } catch (IOException e) {
        fail(e);
      }
    }

    void feed(ByteBuffer bytes) throws IOException {
      while (bytes.hasRemaining() && state != State.DONE) {
        byte b = bytes.get();
        switch (state) {
          case HEAD -> head(b);
          case CHUNK_SIZE -> chunkSize(b);
          case CHUNK_DATA -> {
            text(b);
            if (--chunkLeft == 0) {
              state = State.CHUNK_END;
            }
          }
          case CHUNK_END -> {
            if (b == '\n') {
              state = State.CHUNK_SIZE;
            }
          }
          case SIZED -> {
            text(b);
            if (--bodyLeft == 0) {
              finish();
            }
          }
          case TO_CLOSE -> text(b);
          case DONE -> {}
        }
      }
    }

    private void head(byte b) throws IOException {
      if (headLength == head.length) {
        if (head.length >= MAX_HEAD) {
          throw new IOException("response head longer than " + MAX_HEAD + " bytes");
        }
        head = Arrays.copyOf(head, head.length * 2);
      }
      head[headLength++] = b;
      if (b != '\n'
          || headLength < 4
          || head[headLength - 2] != '\r'
          || head[headLength - 3] != '\n'
          || head[headLength - 4] != '\r') {
        return;
      }
      var text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
      int status = text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
      if (status != 200) {
        throw new IOException("HTTP " + status);
      }
      var lower = text.toLowerCase(Locale.ROOT);
      int length = lower.indexOf("\r\ncontent-length:");
      if (lower.contains("\r\ntransfer-encoding: chunked")) {
        state = State.CHUNK_SIZE;
      } else if (length >= 0) {
        int from = length + "\r\ncontent-length:".length();
        bodyLeft = Long.parseLong(lower.substring(from, lower.indexOf('\r', from)).trim());
        state = State.SIZED;
      } else {
        state = State.TO_CLOSE;
      }
      head = new byte[0];
      stream.onSubscribe(this);
      if (state == State.SIZED && bodyLeft == 0) {
        finish();
      }
    }

    private void chunkSize(byte b) {
      if (b == '\n') {
        sizeRead = false;
        if (chunkLeft == 0) {
          finish();
        } else {
          state = State.CHUNK_DATA;
        }
        return;
      }
      int digit = Character.digit(b, 16);
      if (digit >= 0 && !sizeRead) {
        chunkLeft = chunkLeft * 16 + digit;
      } else {
        sizeRead = true; // an extension, or the line's CR: the size is complete
      }
    }

    private void text(byte b) {
      if (b == '\n') {
        int end = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        stream.onNext(new String(line, 0, end, StandardCharsets.UTF_8));
        lineLength = 0;
        return;
      }
      if (lineLength == line.length) {
        line = Arrays.copyOf(line, line.length * 2);
      }
      line[lineLength++] = b;
    }

    /** The body is complete: the last line without its end, then the stream's end. */
    private void finish() {
      state = State.DONE;
      close();
      if (lineLength > 0) {
        stream.onNext(new String(line, 0, lineLength, StandardCharsets.UTF_8));
        lineLength = 0;
      }
      stream.onComplete();
    }

    /** The server closed the connection. */
    void ended() {
      if (state == State.TO_CLOSE) {
        finish();
      } else if (state != State.DONE) {
        fail(new EOFException("connection closed mid-response"));
      }
    }

    void fail(Exception e) {
      if (state != State.DONE) {
        state = State.DONE;
        close();
        stream.onError(e);
      }
    }

    @Override
    public void request(long n) {
      // Lines are pushed as they arrive; the bench's subscribers ask for all of them.
    }

    /** Closes the connection; safe from any thread (a stream cancelled by the bench). */
    @Override
    public void cancel() {
      close();
    }

    private void close() {
      var c = channel;
      if (c != null) {
        try {
          c.close();
        } catch (IOException ignored) {
          // closing: nothing left to read
        }
      }
    }
  }
}
