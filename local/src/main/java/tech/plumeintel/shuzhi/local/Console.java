package tech.plumeintel.shuzhi.local;

import java.io.PrintStream;

/** What the launcher prints: its own lines and the children's, each prefixed with whose it is. */
final class Console {

  private static final int WIDTH = 13;
  private static final String[] COLOURS = {"36", "32", "35", "33", "34", "31"};
  private static final String LAUNCHER = "local";

  private final PrintStream out;
  private final boolean colour;
  private int nextColour;

  Console(PrintStream out) {
    this.out = out;
    var console = System.console();
    this.colour = console != null && console.isTerminal() && !"dumb".equals(System.getenv("TERM"));
  }

  /** A prefix for one child's lines, in a colour of its own when printing to a terminal. */
  synchronized String prefixFor(String name) {
    var padded = String.format("%-" + WIDTH + "s| ", name);
    if (!colour) {
      return padded;
    }
    var code = COLOURS[nextColour++ % COLOURS.length];
    return "\u001b[" + code + "m" + padded + "\u001b[0m";
  }

  void line(String prefix, String text) {
    synchronized (out) {
      out.println(prefix + text);
    }
  }

  void info(String text) {
    line(String.format("%-" + WIDTH + "s| ", LAUNCHER), text);
  }
}
