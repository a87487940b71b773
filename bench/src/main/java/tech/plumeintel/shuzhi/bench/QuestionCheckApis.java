package tech.plumeintel.shuzhi.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Two more API instances, alike but for WeChat content security: off in one, on in the other (its
 * question check over HTTP to the WeChat stand-in), so that the check's cost in time to first token
 * is measured side by side in one run.
 */
final class QuestionCheckApis implements AutoCloseable {

  final AnotherApi off;
  final AnotherApi on;

  private QuestionCheckApis(AnotherApi off, AnotherApi on) {
    this.off = off;
    this.on = on;
  }

  static QuestionCheckApis start(
      Path launcherJar,
      List<String> jvm,
      Map<String, String> services,
      WechatStandIn wechat,
      Path out)
      throws InterruptedException {
    var timeout = Duration.ofSeconds(180);
    var offEnv = new HashMap<>(services);
    offEnv.put("SHUZHI_CONTENT_SECURITY_ENABLED", "false");
    var onEnv = new HashMap<>(services);
    onEnv.put("SHUZHI_CONTENT_SECURITY_ENABLED", "true");
    onEnv.put("SHUZHI_WECHAT_APP_ID", WechatStandIn.APP_ID);
    onEnv.put("SHUZHI_WECHAT_APP_SECRET", WechatStandIn.APP_SECRET);
    onEnv.put("SHUZHI_WECHAT_BASE_URL", wechat.baseUrl().toString());
    // Side by side: each mostly waits for its health, not for the CPU.
    var off =
        CompletableFuture.supplyAsync(
            () -> start(launcherJar, jvm, offEnv, out.resolve("api-checks-off.log"), timeout));
    var on =
        CompletableFuture.supplyAsync(
            () -> start(launcherJar, jvm, onEnv, out.resolve("api-checks-on.log"), timeout));
    try {
      return new QuestionCheckApis(off.join(), on.join());
    } catch (CompletionException e) {
      for (var instance : List.of(off, on)) {
        var started = instance.exceptionally(failed -> null).join();
        if (started != null) {
          started.close();
        }
      }
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  private static AnotherApi start(
      Path launcherJar, List<String> jvm, Map<String, String> env, Path log, Duration timeout) {
    try {
      return AnotherApi.start(launcherJar, jvm, env, log, timeout);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting another API instance", e);
    }
  }

  /** The system's processes and these two, for a wait until all are quiet. */
  Map<String, ProcessHandle> withProcesses(Map<String, ProcessHandle> system) {
    var all = new LinkedHashMap<>(system);
    all.put("api-service, checks off", off.handle());
    all.put("api-service, checks on", on.handle());
    return all;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      off.close();
    } finally {
      on.close();
    }
  }
}
