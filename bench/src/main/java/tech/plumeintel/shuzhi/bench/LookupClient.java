package tech.plumeintel.shuzhi.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.HdrHistogram.ConcurrentHistogram;
import org.jspecify.annotations.Nullable;

/**
 * The lookup phases' load generator: a fixed pool of keep-alive HTTP/1.1 connections over plain
 * blocking sockets, one platform thread each, asking for books as the readers do (a reader's JWT,
 * rotating, and an address from the benchmarking range). The JDK's HttpClient cost the bench about
 * 0.29 ms of CPU a request, more than the API spent answering it; on a machine whose cores the
 * bench shares with the system under test, that capped the throughput measured and inflated its
 * tails. Here a request is bytes prepared once but for the token and the address, and a response is
 * read through one reused buffer.
 */
final class LookupClient implements AutoCloseable {

  /**
   * What a step measured: answers with 200 in {@code latency} (µs), all others in {@code failed}.
   */
  record Outcome(ConcurrentHistogram latency, int failed, double seconds) {}

  private static final long STOP = Long.MIN_VALUE;
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int READ_TIMEOUT_MS = 30_000;
  private static final byte[] X_FORWARDED_FOR =
      "\r\nX-Forwarded-For: ".getBytes(StandardCharsets.US_ASCII);

  private final InetSocketAddress server;
  private final byte[][] heads;
  private final IntUnaryOperator pathOf;
  private final byte[][] tokens;
  private final List<Connection> connections = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicBoolean failureShown = new AtomicBoolean();
  private final AtomicBoolean answerShown = new AtomicBoolean();

  LookupClient(URI api, String path, List<String> tokens, int connections) {
    this(api, List.of(path), n -> 0, tokens, connections);
  }

  /**
   * Asks for {@code paths.get(pathOf.applyAsInt(n))} as the n-th request: many books with a
   * popularity curve, the head prepared once per path.
   */
  LookupClient(
      URI api, List<String> paths, IntUnaryOperator pathOf, List<String> tokens, int connections) {
    this.server = new InetSocketAddress(api.getHost(), api.getPort());
    this.heads =
        paths.stream()
            .map(
                path ->
                    ("GET "
                            + path
                            + " HTTP/1.1\r\nHost: "
                            + api.getHost()
                            + ":"
                            + api.getPort()
                            + "\r\nUser-Agent: shuzhi-bench\r\nAuthorization: Bearer ")
                        .getBytes(StandardCharsets.US_ASCII))
            .toArray(byte[][]::new);
    this.pathOf = pathOf;
    this.tokens =
        tokens.stream().map(t -> t.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    for (int i = 0; i < connections; i++) {
      this.connections.add(new Connection());
    }
  }

  /**
   * Open loop: {@code count} requests due at {@code perSecond}, each queued when due and taken by
   * the next idle connection; latency counts from the due time, so waiting for a connection is
   * measured too. Beyond {@code maxWaiting} queued or in flight, a due request counts as failed.
   */
  Outcome openLoop(double perSecond, int count, int maxWaiting) throws InterruptedException {
    var latency = new ConcurrentHistogram(3);
    var failed = new AtomicInteger();
    var waiting = new AtomicInteger();
    var due = new LinkedBlockingQueue<Long>();
    var workers = new ArrayList<Thread>();
    for (var connection : connections) {
      workers.add(
          Thread.ofPlatform()
              .daemon()
              .name("lookup-open-", workers.size())
              .start(
                  () -> {
                    try {
                      for (long dueAt; (dueAt = due.take()) != STOP; ) {
                        int status = connection.get();
                        waiting.decrementAndGet();
                        if (status == 200) {
                          latency.recordValue((System.nanoTime() - dueAt) / 1_000);
                        } else {
                          failed.incrementAndGet();
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    long start = System.nanoTime();
    OpenLoop.run(
        perSecond,
        count,
        dueAt -> {
          if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            failed.incrementAndGet();
          } else {
            due.add(dueAt);
          }
        });
    for (int i = 0; i < workers.size(); i++) {
      due.add(STOP); // behind every request already due: the workers finish those first
    }
    for (var worker : workers) {
      worker.join();
    }
    return new Outcome(latency, failed.get(), (System.nanoTime() - start) / 1e9);
  }

  /** Closed loop: {@code count} of the connections asking back to back for {@code seconds}. */
  Outcome closedLoop(int count, int seconds) throws InterruptedException {
    var latency = new ConcurrentHistogram(3);
    var failed = new AtomicInteger();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    var workers = new ArrayList<Thread>();
    for (var connection : connections.subList(0, Math.min(count, connections.size()))) {
      workers.add(
          Thread.ofPlatform()
              .daemon()
              .name("lookup-closed-", workers.size())
              .start(
                  () -> {
                    while (System.nanoTime() < end) {
                      long sent = System.nanoTime();
                      if (connection.get() == 200) {
                        latency.recordValue((System.nanoTime() - sent) / 1_000);
                      } else {
                        failed.incrementAndGet();
                      }
                    }
                  }));
    }
    for (var worker : workers) {
      worker.join();
    }
    return new Outcome(latency, failed.get(), (System.nanoTime() - start) / 1e9);
  }

  @Override
  public void close() {
    connections.forEach(Connection::close);
  }

  /** One keep-alive connection, used by one thread at a time; reopened after a failure. */
  private final class Connection {

    private final byte[] request = new byte[maxLength(heads) + maxLength(tokens) + 64];
    private @Nullable Open open;

    /** Asks once, reading the whole answer; returns its status, or -1 if the connection failed. */
    int get() {
      int n = next.getAndIncrement();
      boolean reused = open != null;
      try {
        return ask(n);
      } catch (IOException | RuntimeException e) {
        boolean answered = open != null && open.reader().received();
        close();
        if (reused && !answered && e instanceof IOException) {
          // the server may close an idle keep-alive connection as the request leaves: a GET
          // nothing was answered to is asked again on a new connection, as HTTP clients do
          try {
            return ask(n);
          } catch (IOException | RuntimeException again) {
            close();
            return failed(again);
          }
        }
        return failed(e);
      }
    }

    private int ask(int n) throws IOException {
      var current = open != null ? open : (open = open());
      current.out().write(request, 0, encode(n));
      int status;
      if (answerShown.compareAndSet(false, true)) { // the log shows what "answered" meant
        var body = new ByteArrayOutputStream();
        status = current.reader().read(body);
        var text = body.toString(StandardCharsets.UTF_8).replace('\n', ' ');
        System.out.println(
            "bench: first lookup answer: HTTP "
                + status
                + ", "
                + body.size()
                + " bytes: "
                + text.substring(0, Math.min(text.length(), 120)));
      } else {
        status = current.reader().read();
      }
      if (current.reader().closes()) {
        close();
      }
      return status;
    }

    private int failed(Exception e) {
      if (failureShown.compareAndSet(false, true)) { // the first says why; the count says how often
        System.out.println("bench: lookup connection failed: " + e);
      }
      return -1;
    }

    /** The request for the n-th lookup: the fixed bytes, the n-th reader's token, an address. */
    private int encode(int n) {
      int length = put(heads[pathOf.applyAsInt(n)], 0);
      length = put(tokens[Math.floorMod(n, tokens.length)], length);
      length = put(X_FORWARDED_FOR, length);
      var address = Client.address(n);
      for (int i = 0; i < address.length(); i++) {
        request[length++] = (byte) address.charAt(i);
      }
      request[length++] = '\r';
      request[length++] = '\n';
      request[length++] = '\r';
      request[length++] = '\n';
      return length;
    }

    private int put(byte[] bytes, int at) {
      System.arraycopy(bytes, 0, request, at, bytes.length);
      return at + bytes.length;
    }

    private Open open() throws IOException {
      var socket = new Socket();
      try {
        socket.setTcpNoDelay(true); // a request is one write; do not hold it back for an ACK
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.connect(server, CONNECT_TIMEOUT_MS);
        return new Open(
            socket,
            socket.getOutputStream(),
            new ResponseReader(socket.getInputStream(), 16 * 1024));
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    }

    void close() {
      if (open != null) {
        try {
          open.socket().close();
        } catch (IOException e) {
          // already broken: nothing to keep
        }
        open = null;
      }
    }
  }

  private record Open(Socket socket, OutputStream out, ResponseReader reader) {}

  private static int maxLength(byte[][] all) {
    int max = 0;
    for (var bytes : all) {
      max = Math.max(max, bytes.length);
    }
    return max;
  }
}
