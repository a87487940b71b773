package tech.plumeintel.shuzhi.fetch.cover;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CoverAllowlistTest {

  /** What DNS says in these tests: real hosts public, the rebound ones internal. */
  private static final Map<String, String> DNS =
      Map.ofEntries(
          Map.entry("img9.doubanio.com", "49.7.34.110"),
          Map.entry("covers.openlibrary.org", "207.241.224.2"),
          Map.entry("books.google.com", "142.250.72.14"),
          Map.entry("loopback.doubanio.com", "127.0.0.1"),
          Map.entry("internal.doubanio.com", "10.1.2.3"),
          Map.entry("metadata.doubanio.com", "169.254.169.254"),
          Map.entry("cgnat.doubanio.com", "100.64.0.9"),
          Map.entry("private6.doubanio.com", "fd12:3456::1"),
          Map.entry("any.doubanio.com", "0.0.0.0"));

  private static InetAddress[] resolve(String host) throws UnknownHostException {
    var address = DNS.get(host);
    if (address == null) {
      throw new UnknownHostException(host);
    }
    return new InetAddress[] {InetAddress.getByName(address)};
  }

  private final CoverAllowlist allowlist =
      new CoverAllowlist(
          List.of("doubanio.com", "covers.openlibrary.org", "books.google.com"),
          List.of("http://127.0.0.1:4711", "https://book.douban.com/"),
          CoverAllowlistTest::resolve);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://img9.doubanio.com/view/subject/l/public/s1076372.jpg",
        "https://img9.doubanio.com:443/view/subject/l/public/s1076372.jpg",
        "https://covers.openlibrary.org/b/id/8739161-L.jpg",
        "https://books.google.com/books/content?id=64tuPwAACAAJ&img=1",
        "http://127.0.0.1:4711/view/subject/l/public/s1.jpg"
      })
  void allowsKnownImageHostsAndConfiguredBases(String url) {
    assertThat(allowlist.allows(URI.create(url))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://img9.doubanio.com/view/subject/l/public/s1076372.jpg",
        "https://evil-doubanio.com/a.jpg",
        "https://doubanio.com.evil.example/a.jpg",
        "https://user@img9.doubanio.com/a.jpg",
        "http://127.0.0.1:4712/a.jpg",
        "http://127.0.0.1:4711.evil.example/a.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd"
      })
  void refusesEverythingElse(String url) {
    assertThat(allowlist.allows(URI.create(url))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://img9.doubanio.com:8443/a.jpg",
        "https://img9.doubanio.com:80/a.jpg",
        "https://covers.openlibrary.org:6379/b/id/1-L.jpg"
      })
  void refusesKnownHostsOnAnyPortBut443(String url) {
    assertThat(allowlist.allows(URI.create(url))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://loopback.doubanio.com/a.jpg",
        "https://internal.doubanio.com/a.jpg",
        "https://metadata.doubanio.com/latest/meta-data/",
        "https://cgnat.doubanio.com/a.jpg",
        "https://private6.doubanio.com/a.jpg",
        "https://any.doubanio.com/a.jpg",
        "https://unresolvable.doubanio.com/a.jpg"
      })
  void refusesKnownHostsThatResolveToInternalAddresses(String url) {
    assertThat(allowlist.allows(URI.create(url))).isFalse();
  }
}
