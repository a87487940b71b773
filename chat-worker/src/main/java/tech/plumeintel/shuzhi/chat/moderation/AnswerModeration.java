package tech.plumeintel.shuzhi.chat.moderation;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.chat.llm.ModelStream;
import tech.plumeintel.shuzhi.chat.stream.ChunkRenderer;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.platform.wechat.CheckTarget;
import tech.plumeintel.shuzhi.platform.wechat.ContentSecurity;
import tech.plumeintel.shuzhi.platform.wechat.ReaderOpenids;
import tech.plumeintel.shuzhi.platform.wechat.Verdict;

/**
 * Content security on what the model generates: {@link #watch} wraps a generation in a {@link
 * ModeratedStream}; {@link #withdraw} removes a withheld answer's text from the stream's replay
 * log.
 */
@Component
public class AnswerModeration implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(AnswerModeration.class);

  /**
   * Every logged chunk frame becomes an empty delta under the same sequence number: frame n must
   * stay at index n - 1 for the API's replay, and a resume must find nothing of the text.
   */
  private static final RedisScript<Long> BLANK_CHUNKS =
      RedisScript.of(
          """
          local frames = redis.call('LRANGE', KEYS[1], 0, -1)
          local blanked = 0
          for i, frame in ipairs(frames) do
            local seq = string.match(frame, '^(%d+) chunk ')
            if seq then
              redis.call('LSET', KEYS[1], i - 1, seq .. ' chunk ' .. ARGV[1])
              blanked = blanked + 1
            end
          end
          return blanked
          """,
          Long.class);

  /** The model named by the blank chunks that stand in for a withheld answer's. */
  static final String WITHHELD_MODEL = "withheld";

  private final ContentSecurity security;
  private final ReaderOpenids openids;
  private final StringRedisTemplate redis;
  private final ExecutorService checks = Executors.newVirtualThreadPerTaskExecutor();

  AnswerModeration(ContentSecurity security, ReaderOpenids openids, StringRedisTemplate redis) {
    this.security = security;
    this.openids = openids;
    this.redis = redis;
  }

  /** The generation as the stream should read it: checked when content security is on. */
  public ModelStream watch(ChatRequested job, ModelStream generation) {
    if (!security.enabled()) {
      return generation;
    }
    var openid = openids.of(job.userId()).orElse(null);
    var scene = security.properties().answerScene();
    var requestId = job.requestId();
    return new ModeratedStream(
        generation,
        text ->
            openid == null
                ? new Verdict.Unchecked("no_openid")
                : security.check(CheckTarget.ANSWER, openid, scene, text),
        review -> log.info("Job {} answer allowed for review (WeChat label {})", requestId, review),
        security.failClosed(),
        checks,
        security.properties().answerWindow());
  }

  /** Blanks the text of a withheld answer in the stream's replay log. */
  public void withdraw(String requestId) {
    var blank = new ChunkRenderer(requestId, 0).content(WITHHELD_MODEL, "");
    var blanked = redis.execute(BLANK_CHUNKS, List.of(ChatChannels.log(requestId)), blank);
    log.info("Job {} answer withheld: {} logged chunks blanked", requestId, blanked);
  }

  @Override
  public void destroy() {
    checks.shutdownNow();
  }
}
