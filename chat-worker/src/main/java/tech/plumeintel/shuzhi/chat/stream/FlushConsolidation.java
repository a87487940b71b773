package tech.plumeintel.shuzhi.chat.stream;

import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One socket write for the frames of all streams that Redis's I/O thread has queued, instead of one
 * per stream's batch: the thread runs every queued write, then flushes once before it looks for
 * more (Netty's flush consolidation, which never waits for a write to come). Smart batching across
 * streams, where {@link FrameWriter} batches within one.
 */
@Configuration(proxyBeanMethods = false)
class FlushConsolidation {

  @Bean
  ClientResourcesBuilderCustomizer consolidatedRedisFlushes() {
    return resources ->
        resources.nettyCustomizer(
            new NettyCustomizer() {
              @Override
              public void afterChannelInitialized(Channel channel) {
                channel
                    .pipeline()
                    .addFirst(
                        new FlushConsolidationHandler(
                            FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
              }
            });
  }
}
