package tech.plumeintel.shuzhi.fetch.source.google;

import static org.assertj.core.api.Assertions.assertThat;
import static tech.plumeintel.shuzhi.fetch.source.BookField.*;

import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.fetch.Fixtures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class GoogleBooksVolumesTest {

  private final JsonMapper json = JsonMapper.builder().build();

  private JsonNode answer(String name) {
    return json.readTree(Fixtures.bytes("googlebooks/" + name + ".json"));
  }

  @Test
  void readsTheVolumeThatCarriesTheIsbn() {
    var book =
        GoogleBooksVolumes.read(answer("volumes-q-isbn-9780007499793"), Isbn.parse("9780007499793"))
            .orElseThrow();

    assertThat(book.text(TITLE)).isEqualTo("Space");
    assertThat(book.text(AUTHOR)).isEqualTo("Stephen Baxter");
    assertThat(book.text(PUBLISHER)).isEqualTo("HarperCollins UK");
    assertThat(book.text(PUB_DATE)).isEqualTo("2012-11-22");
    assertThat(book.integer(PAGES)).isEqualTo(441);
    assertThat(book.text(INTRODUCTION)).startsWith("2020. Fueled by an insatiable curiosity");
  }

  @Test
  void prefersTheLargestImageOverHttps() {
    var book =
        GoogleBooksVolumes.read(answer("volumes-q-isbn-9781857989380"), Isbn.parse("1857989384"))
            .orElseThrow();

    assertThat(book.text(COVER))
        .isEqualTo(
            "https://books.google.com/books/content?"
                + "id=64tuPwAACAAJ&printsec=frontcover&img=1&zoom=1&source=gbs_api");
    assertThat(book.text(PUB_DATE)).isEqualTo("2000");
  }

  @Test
  void findsNothingWhenNoHitCarriesTheIsbn() {
    assertThat(
            GoogleBooksVolumes.read(
                answer("volumes-q-isbn-9780007499793"), Isbn.parse("9781857989380")))
        .isEmpty();
    assertThat(
            GoogleBooksVolumes.read(
                json.readTree("{\"kind\":\"books#volumes\",\"totalItems\":0}"),
                Isbn.parse("9781857989380")))
        .isEmpty();
  }

  @Test
  void givesNoRatingSinceGoogleRatesOutOfFive() {
    var single =
        json.readTree(
            "{\"items\":[" + Fixtures.text("googlebooks/volume-hV--zQEACAAJ.json") + "]}");

    var book = GoogleBooksVolumes.read(single, Isbn.parse("9781847498571")).orElseThrow();

    assertThat(book.text(TITLE)).isEqualTo("1984 Nineteen Eighty-Four");
    assertThat(book.has(RATING)).isFalse();
  }
}
