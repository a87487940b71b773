package tech.plumeintel.shuzhi.fetch.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tech.plumeintel.shuzhi.fetch.source.douban.DoubanProperties;
import tech.plumeintel.shuzhi.fetch.source.google.GoogleBooksProperties;
import tech.plumeintel.shuzhi.fetch.source.openlibrary.OpenLibraryProperties;

/**
 * The contract names the sources' settings as environment variables; they must reach the records.
 */
class SourcePropertiesBindingTest {

  private static Binder binderOver(Map<String, Object> variables) {
    var environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .addFirst(
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME + "-test", variables));
    return new Binder(ConfigurationPropertySources.from(environment.getPropertySources()));
  }

  @Test
  void theContractsEnvironmentVariablesBindToTheSourceSettings() {
    var binder =
        binderOver(
            Map.of(
                "SHUZHI_BOOKS_DOUBAN_BASE_URL", "http://douban.stand-in:8001",
                "SHUZHI_BOOKS_OPENLIBRARY_BASE_URL", "http://openlibrary.stand-in:8002",
                "SHUZHI_BOOKS_OPENLIBRARY_COVERS_BASE_URL", "http://covers.stand-in:8003",
                "SHUZHI_BOOKS_GOOGLE_BASE_URL", "http://google.stand-in:8004",
                "SHUZHI_BOOKS_DOUBAN_REQUESTS_PER_SECOND", "0.5"));

    var douban = binder.bindOrCreate("shuzhi.books.douban", DoubanProperties.class);
    var openLibrary = binder.bindOrCreate("shuzhi.books.openlibrary", OpenLibraryProperties.class);
    var google = binder.bindOrCreate("shuzhi.books.google", GoogleBooksProperties.class);

    assertThat(douban.baseUrl()).isEqualTo(URI.create("http://douban.stand-in:8001"));
    assertThat(douban.requestsPerSecond()).isEqualTo(0.5);
    assertThat(openLibrary.baseUrl()).isEqualTo(URI.create("http://openlibrary.stand-in:8002"));
    assertThat(openLibrary.coversBaseUrl()).isEqualTo(URI.create("http://covers.stand-in:8003"));
    assertThat(google.baseUrl()).isEqualTo(URI.create("http://google.stand-in:8004"));
  }

  @Test
  void withoutThemTheRealSitesAreAsked() {
    var binder = binderOver(Map.of());

    var douban = binder.bindOrCreate("shuzhi.books.douban", DoubanProperties.class);
    var openLibrary = binder.bindOrCreate("shuzhi.books.openlibrary", OpenLibraryProperties.class);
    var google = binder.bindOrCreate("shuzhi.books.google", GoogleBooksProperties.class);

    assertThat(douban.baseUrl()).isEqualTo(URI.create("https://book.douban.com"));
    assertThat(openLibrary.baseUrl()).isEqualTo(URI.create("https://openlibrary.org"));
    assertThat(openLibrary.coversBaseUrl()).isEqualTo(URI.create("https://covers.openlibrary.org"));
    assertThat(openLibrary.requestsPerSecond()).isEqualTo(3);
    assertThat(google.baseUrl()).isEqualTo(URI.create("https://www.googleapis.com"));
  }
}
