package tech.plumeintel.shuzhi.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Waiting for a child to listen. */
final class Ports {

  private Ports() {}

  /** Returns once something accepts connections on the loopback port; fails if the child died. */
  static void awaitListening(int port, ChildProcess owner, long deadlineNanos)
      throws InterruptedException {
    while (true) {
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return;
      } catch (IOException notYet) {
        if (!owner.isAlive()) {
          throw new IllegalStateException(
              owner.name()
                  + " exited with code "
                  + owner.exitValue()
                  + " before listening on port "
                  + port
                  + " (see its log above)");
        }
        if (System.nanoTime() > deadlineNanos) {
          throw new IllegalStateException(
              owner.name() + " is not listening on port " + port + " in time");
        }
        Thread.sleep(100);
      }
    }
  }
}
