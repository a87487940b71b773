package tech.plumeintel.shuzhi.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;

/**
 * Revocations pushed to every instance over real Redis pub/sub: a family once found unrevoked is
 * not asked about again while the feed listens, and the feed vouches for nothing it may have
 * missed. "Another instance" is Redis written to directly, as that instance's {@link
 * TokenFamilies#revoke} writes it.
 */
class RevocationFeedIT extends ApiIntegrationTest {

  @Autowired TokenFamilies families;
  @Autowired RevocationFeed feed;
  @Autowired StringRedisTemplate redis;

  private String family;

  @BeforeEach
  void listening() {
    family = "family-feed-" + System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).until(() -> feed.listeningSince() != null);
  }

  @Test
  void aFamilyFoundUnrevokedIsNotAskedOfRedisAgainWhileTheFeedListens() {
    assertThat(families.isRevoked(family)).isFalse();

    // Stored without being published: only a question to Redis would find it.
    storeRevocationWithoutPublishing(family);

    assertThat(families.isRevoked(family)).isFalse();
  }

  @Test
  void aFamilyRevokedOnAnotherInstanceIsKnownAsSoonAsItIsPublished() {
    assertThat(families.isRevoked(family)).isFalse();

    storeRevocationWithoutPublishing(family);
    redis.convertAndSend(RevocationFeed.CHANNEL, family);

    await().atMost(Duration.ofSeconds(2)).until(() -> families.isRevoked(family));
  }

  @Test
  void aFamilyRevokedHereIsRevokedAtOnceAndForOtherInstancesToo() {
    assertThat(families.isRevoked(family)).isFalse();

    families.revoke(family);

    assertThat(families.isRevoked(family)).isTrue();
    assertThat(redis.hasKey("auth:family-revoked:" + family)).isTrue();
  }

  @Test
  void aLostConnectionStartsANewListeningPeriodAndEveryFamilyIsAskedOfRedisAgain() {
    assertThat(families.isRevoked(family)).isFalse();
    var before = Objects.requireNonNull(feed.listeningSince());

    // Whatever is published while the feed's connection is down never reaches it.
    killFeedConnection();
    storeRevocationWithoutPublishing(family);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Instant since = feed.listeningSince();
              return since != null && since.isAfter(before);
            });

    assertThat(families.isRevoked(family)).isTrue();
  }

  @Test
  void withoutTheFeedEveryRecheckAsksRedis() {
    assertThat(families.isRevoked(family)).isFalse();
    feed.stop();
    try {
      assertThat(feed.listeningSince()).isNull();
      storeRevocationWithoutPublishing(family);

      assertThat(families.isRevoked(family)).isTrue();
    } finally {
      feed.start();
    }
  }

  private void killFeedConnection() {
    redis.execute(
        (RedisCallback<Object>)
            connection -> {
              var server = connection.serverCommands();
              var feeds =
                  server.getClientList().stream()
                      .filter(client -> RevocationFeed.CLIENT_NAME.equals(client.getName()))
                      .toList();
              assertThat(feeds).hasSize(1);
              var address = feeds.getFirst().getAddressPort();
              int colon = address.lastIndexOf(':');
              server.killClient(
                  address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
              return null;
            });
  }

  private void storeRevocationWithoutPublishing(String family) {
    redis.opsForValue().set("auth:family-revoked:" + family, "1", Duration.ofMinutes(5));
  }
}
