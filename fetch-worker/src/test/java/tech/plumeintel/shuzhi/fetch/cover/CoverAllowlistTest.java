package tech.plumeintel.shuzhi.fetch.cover;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CoverAllowlistTest {

  private final CoverAllowlist allowlist =
      new CoverAllowlist(
          List.of("doubanio.com", "covers.openlibrary.org", "books.google.com"),
          List.of("http://127.0.0.1:4711", "https://book.douban.com/"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://img9.doubanio.com/view/subject/l/public/s1076372.jpg",
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
}
