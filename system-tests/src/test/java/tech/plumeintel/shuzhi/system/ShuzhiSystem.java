package tech.plumeintel.shuzhi.system;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.plumeintel.shuzhi.api.ApiApplication;
import tech.plumeintel.shuzhi.chat.ChatWorkerApplication;
import tech.plumeintel.shuzhi.fetch.FetchWorkerApplication;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tech.plumeintel.shuzhi.testsupport.WechatStandIn;

/**
 * The whole system in this JVM: the API, a fetch-worker and a chat-worker on the shared test
 * infrastructure and one database, talking to the stand-ins of {@link Upstreams}. Started once, on
 * first use, and stopped when the JVM exits; every test works with readers and books of its own.
 *
 * <p>Time limits are shortened so that failures show within seconds: the API ends a stream whose
 * worker has been silent for {@link #WORKER_SILENCE}; workers send heartbeats much more often.
 */
final class ShuzhiSystem {

  static final String DATABASE = "shuzhi_system";

  /** Made per run: a fixed one would be a published secret, which the API refuses. */
  static final String JWT_SECRET =
      "st-" + java.util.UUID.randomUUID() + java.util.UUID.randomUUID();

  static final Duration WORKER_SILENCE = Duration.ofSeconds(3);
  static final Duration TASK_DEADLINE = Duration.ofSeconds(40);

  private static final Logger log = LoggerFactory.getLogger(ShuzhiSystem.class);
  private static volatile ShuzhiSystem shared;

  final Upstreams upstreams;
  final InProcessService api;
  final InProcessService fetchWorker;
  final InProcessService chatWorker;

  private ShuzhiSystem() {
    long started = System.nanoTime();
    upstreams = new Upstreams();
    fetchWorker = InProcessService.start(FetchWorkerApplication.class, fetchWorkerProperties());
    chatWorker = InProcessService.start(ChatWorkerApplication.class, chatWorkerProperties());
    api = InProcessService.start(ApiApplication.class, apiProperties());
    log.info(
        "Shuzhi system up in {} ms: API on port {}",
        (System.nanoTime() - started) / 1_000_000,
        api.port());
  }

  static ShuzhiSystem shared() {
    var current = shared;
    if (current == null) {
      synchronized (ShuzhiSystem.class) {
        current = shared;
        if (current == null) {
          current = new ShuzhiSystem();
          Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(current::stop));
          shared = current;
        }
      }
    }
    return current;
  }

  JsonHttp http() {
    return new JsonHttp(api.port());
  }

  /** A reader of the mini-program, logged in through WeChat's code exchange. */
  Reader login(String openid) {
    return Reader.login(this, openid);
  }

  /** Where every service finds Kafka, Redis and MongoDB. */
  static Map<String, String> infrastructure() {
    return TestInfrastructure.shared().springProperties(DATABASE);
  }

  Map<String, String> apiProperties() {
    var properties = new LinkedHashMap<>(infrastructure());
    properties.put("shuzhi.wechat.base-url", upstreams.wechat.baseUrl().toString());
    properties.put("shuzhi.wechat.app-id", WechatStandIn.APP_ID);
    properties.put("shuzhi.wechat.app-secret", WechatStandIn.APP_SECRET);
    properties.put("shuzhi.jwt.secret", JWT_SECRET);
    properties.put("shuzhi.books.task-deadline", TASK_DEADLINE.toSeconds() + "s");
    // Long enough for a crashed worker's partitions to reach another worker (session timeout).
    properties.put("shuzhi.chat.pickup-timeout", "30s");
    properties.put("shuzhi.chat.worker-silence", WORKER_SILENCE.toMillis() + "ms");
    properties.put("shuzhi.chat.ping-interval", "1s");
    // Every reader of the suite calls from 127.0.0.1: the per-address limits would count them as
    // one.
    properties.put("shuzhi.limits.chat-per-minute-per-address", "100000");
    properties.put("shuzhi.limits.login-per-minute", "100000");
    properties.put("shuzhi.limits.lookups-per-minute", "100000");
    return properties;
  }

  Map<String, String> fetchWorkerProperties() {
    var properties = new LinkedHashMap<>(infrastructure());
    properties.putAll(upstreams.sourceProperties());
    properties.put("shuzhi.books.http.retry-backoff", "20ms");
    properties.put("shuzhi.books.douban.requests-per-second", "50");
    properties.put("shuzhi.books.openlibrary.requests-per-second", "3");
    properties.put("shuzhi.books.google.requests-per-second", "50");
    properties.put("shuzhi.books.covers.requests-per-second", "50");
    return properties;
  }

  Map<String, String> chatWorkerProperties() {
    var properties = new LinkedHashMap<>(infrastructure());
    properties.putAll(upstreams.llmProperties());
    // The worker checks answers with WeChat's content security, which credentials switch on.
    properties.put("shuzhi.wechat.base-url", upstreams.wechat.baseUrl().toString());
    properties.put("shuzhi.wechat.app-id", WechatStandIn.APP_ID);
    properties.put("shuzhi.wechat.app-secret", WechatStandIn.APP_SECRET);
    properties.put("shuzhi.chat.heartbeat-interval", "300ms");
    properties.put("shuzhi.llm.first-token-timeout", "10s");
    properties.put("shuzhi.llm.idle-timeout", "10s");
    properties.put("shuzhi.llm.total-timeout", "60s");
    properties.put("shuzhi.llm.max-retries", "1");
    properties.put("shuzhi.llm.retry-backoff", "50ms");
    // A dead worker's streams are continued well within the API's worker-silence limit.
    properties.put("shuzhi.chat.takeover.lease", "1s");
    properties.put("shuzhi.chat.takeover.scan-interval", "250ms");
    return properties;
  }

  private void stop() {
    for (var service : new InProcessService[] {api, chatWorker, fetchWorker}) {
      try {
        service.close();
      } catch (RuntimeException e) {
        log.warn("Stopping {} failed: {}", service.name(), e.toString());
      }
    }
    upstreams.close();
  }
}
