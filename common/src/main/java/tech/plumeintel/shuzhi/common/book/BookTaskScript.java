package tech.plumeintel.shuzhi.common.book;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Lua scripts that move a book task (see {@link BookTasks}), each one atomic step in Redis. The
 * scripts are resources beside this class, so the API and the fetch-worker run the same text; each
 * script's first lines name its {@code KEYS}, {@code ARGV} and answer. The statuses they write and
 * compare are {@link BookTaskStatus#wire()} values.
 */
public enum BookTaskScript {
  /** The API starts a lookup, or joins the unfinished task of the same book. */
  START_OR_JOIN("start-or-join.lua"),
  /** The API fails a task whose job Kafka did not take, and frees the book. */
  ABANDON("abandon.lua"),
  /** The worker moves a task on, if it still exists and its status allows the step. */
  ADVANCE("advance.lua"),
  /** The worker ends its task's claim on the book, unless a newer task holds it. */
  RELEASE_IN_FLIGHT("release-in-flight.lua"),
  /** The worker ends a task succeeded, releases the book and forgets it was missing. */
  SUCCEED("succeed.lua");

  private final String file;
  private final String source;

  BookTaskScript(String file) {
    this.file = file;
    this.source = read(file);
  }

  /** The resource's name, beside this class. */
  public String file() {
    return file;
  }

  /** The script's text, read once. */
  public String source() {
    return source;
  }

  private static String read(String file) {
    try (InputStream in = BookTaskScript.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
