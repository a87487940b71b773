package tech.plumeintel.shuzhi.testsupport;

import com.redis.testcontainers.RedisContainer;

/** Redis in Docker. An outage pauses the container, so the mapped port stays the same. */
final class ContainerRedis implements RedisUnderTest {

  static final String IMAGE = "redis:7.4";

  private final RedisContainer container;

  ContainerRedis() {
    container = new RedisContainer(IMAGE);
    container.start();
  }

  @Override
  public String url() {
    return "redis://" + container.getRedisHost() + ":" + container.getRedisPort();
  }

  @Override
  public void stop() {
    container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void start() {
    container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void close() {
    container.stop();
  }
}
