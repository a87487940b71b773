package tech.plumeintel.shuzhi.api.book;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CoverUrlsTest {

  private static final String ISBN = "9787536692930";
  private static final Instant NOW = Instant.parse("2026-12-04T10:15:30Z");
  private static final String SECRET = "cover-url-test-secret-0123456789abcdef";

  private static CoverUrls covers(String jwtSecret, Instant now) {
    return new CoverUrls(
        new CoverUrlProperties(null, Duration.ofDays(7)),
        jwtSecret,
        Clock.fixed(now, ZoneOffset.UTC));
  }

  private static String param(String path, String name) {
    return path.replaceAll(".*[?&]" + name + "=([^&]+).*", "$1");
  }

  @Test
  void aLinkExpiresAtTheEndOfAUtcDayAtLeastALifetimeAheadSoItStaysTheSameAllDay() {
    var morning = covers(SECRET, NOW).signedPath(ISBN);
    var evening = covers(SECRET, NOW.plus(Duration.ofHours(13))).signedPath(ISBN);

    assertThat(morning).isEqualTo(evening).startsWith("/api/books/" + ISBN + "/cover/?exp=");
    assertThat(Long.parseLong(param(morning, "exp")))
        .isEqualTo(Instant.parse("2026-12-12T00:00:00Z").getEpochSecond());
  }

  @Test
  void onlyTheSignatureMadeForThisIsbnAndExpiryWithThisSecretVerifies() {
    var path = covers(SECRET, NOW).signedPath(ISBN);
    var exp = param(path, "exp");
    var sig = param(path, "sig");
    var covers = covers(SECRET, NOW);

    assertThat(covers.verify(ISBN, exp, sig)).isTrue();
    assertThat(covers.verify("9787544253994", exp, sig)).isFalse();
    assertThat(covers.verify(ISBN, Long.toString(Long.parseLong(exp) + 1), sig)).isFalse();
    assertThat(covers.verify(ISBN, exp, sig.substring(1))).isFalse();
    assertThat(covers.verify(ISBN, exp, null)).isFalse();
    assertThat(covers.verify(ISBN, null, sig)).isFalse();
    assertThat(covers.verify(ISBN, "-5", sig)).isFalse();
    assertThat(covers.verify(ISBN, "99999999999999999999999", sig)).isFalse();
    assertThat(covers(SECRET + "-other", NOW).verify(ISBN, exp, sig)).isFalse();
  }

  @Test
  void anExpiredLinkNoLongerVerifies() {
    var path = covers(SECRET, NOW).signedPath(ISBN);
    var exp = Long.parseLong(param(path, "exp"));

    assertThat(
            covers(SECRET, Instant.ofEpochSecond(exp))
                .verify(ISBN, param(path, "exp"), param(path, "sig")))
        .isTrue();
    assertThat(
            covers(SECRET, Instant.ofEpochSecond(exp + 1))
                .verify(ISBN, param(path, "exp"), param(path, "sig")))
        .isFalse();
  }
}
