package tech.plumeintel.shuzhi.platform.wechat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import tech.plumeintel.shuzhi.platform.wechat.ContentSecurityProperties.FailurePolicy;

/**
 * WeChat's text content security as the services use it: a text of any length is cut into pieces
 * WeChat accepts, checked concurrently (one round trip however long the text), and judged by its
 * worst piece. Every check is counted by target and verdict and timed; a failed one is counted by
 * reason and logged (ids and sizes only, never the text). What an unchecked text means is the
 * caller's to apply, by {@link #failClosed()}.
 */
public final class ContentSecurity implements DisposableBean {

  /** WeChat's limit for one {@code msg_sec_check}: 2,500 characters. */
  public static final int MAX_CHARS = 2500;

  /** The profile scene ({@code 1 资料}), which WeChat asks for nicknames. */
  public static final int PROFILE_SCENE = 1;

  private static final Logger log = LoggerFactory.getLogger(ContentSecurity.class);

  private final @Nullable TextChecker checker;
  private final ContentSecurityProperties properties;
  private final MeterRegistry meters;
  private final ExecutorService pieces = Executors.newVirtualThreadPerTaskExecutor();

  ContentSecurity(
      @Nullable TextChecker checker, ContentSecurityProperties properties, MeterRegistry meters) {
    this.checker = checker;
    this.properties = properties;
    this.meters = meters;
  }

  /** Whether texts are checked at all; when not, {@link #check} passes everything unasked. */
  public boolean enabled() {
    return checker != null;
  }

  /** Whether an unchecked text is refused ({@code fail-closed}) rather than let through. */
  public boolean failClosed() {
    return properties.onFailure() == FailurePolicy.FAIL_CLOSED;
  }

  public ContentSecurityProperties properties() {
    return properties;
  }

  /** Checks a text for this reader (WeChat wants the openid of someone who used the app lately). */
  public Verdict check(CheckTarget target, String openid, int scene, String text) {
    var active = checker;
    if (active == null || text.isBlank()) {
      return Verdict.PASS;
    }
    var sample = Timer.start(meters);
    var parts = split(text);
    Verdict verdict;
    if (parts.size() == 1) {
      verdict = checkPart(active, target, openid, scene, parts.getFirst());
    } else {
      var futures = new ArrayList<Future<Verdict>>(parts.size());
      for (var part : parts) {
        futures.add(pieces.submit(() -> checkPart(active, target, openid, scene, part)));
      }
      verdict = Verdict.PASS;
      for (var future : futures) {
        verdict = Verdict.worse(verdict, await(future));
      }
    }
    sample.stop(
        Timer.builder("shuzhi.content.security.latency")
            .description("One content-security check of a text, all its pieces")
            .tag("target", target.tag())
            .publishPercentileHistogram()
            .register(meters));
    Counter.builder("shuzhi.content.security.checks")
        .description("Content-security checks by target and verdict")
        .tag("target", target.tag())
        .tag("verdict", verdict.tag())
        .register(meters)
        .increment();
    return verdict;
  }

  private Verdict checkPart(
      TextChecker active, CheckTarget target, String openid, int scene, String part) {
    try {
      return active.check(openid, scene, part);
    } catch (WechatCallException e) {
      return failed(target, part, e.reason(), e.getMessage());
    } catch (DataAccessException e) {
      // The shared token lives in Redis; a Redis outage is a check that could not be made.
      return failed(target, part, "token_store", e.getClass().getSimpleName());
    }
  }

  private Verdict failed(CheckTarget target, String part, String reason, @Nullable String why) {
    Counter.builder("shuzhi.content.security.failures")
        .description("Content-security checks WeChat did not answer, by reason")
        .tag("target", target.tag())
        .tag("reason", reason)
        .register(meters)
        .increment();
    log.warn(
        "Content check of a {} ({} chars) failed, {}: {}",
        target.tag(),
        part.length(),
        failClosed() ? "refused (fail-closed)" : "let through (fail-open)",
        why);
    return new Verdict.Unchecked(reason);
  }

  private static Verdict await(Future<Verdict> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("content check failed unexpectedly", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Verdict.Unchecked("interrupted");
    }
  }

  /** Pieces of at most {@link #MAX_CHARS} characters, never splitting a surrogate pair. */
  static List<String> split(String text) {
    var parts = new ArrayList<String>();
    int start = 0;
    while (text.length() - start > MAX_CHARS) {
      int end = start + MAX_CHARS;
      if (Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      parts.add(text.substring(start, end));
      start = end;
    }
    parts.add(text.substring(start));
    return parts;
  }

  @Override
  public void destroy() {
    pieces.shutdownNow();
  }
}
