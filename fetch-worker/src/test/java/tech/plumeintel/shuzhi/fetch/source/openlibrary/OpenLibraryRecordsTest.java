package tech.plumeintel.shuzhi.fetch.source.openlibrary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.fetch.Fixtures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OpenLibraryRecordsTest {

  private final JsonMapper json = JsonMapper.builder().build();

  private JsonNode record(String name) {
    return json.readTree(Fixtures.bytes("openlibrary/" + name + ".json"));
  }

  @Test
  void readsAnEditionWithItsAuthorAndWorkKeys() {
    var edition = OpenLibraryRecords.edition(record("books-OL7353617M"));

    assertThat(edition.title()).isEqualTo("Fantastic Mr. Fox");
    assertThat(edition.publishers()).isEqualTo("Puffin");
    assertThat(edition.publishDate()).isEqualTo("October 1, 1988");
    assertThat(edition.pages()).isEqualTo(96);
    assertThat(edition.coverId()).isEqualTo(8739161L);
    assertThat(edition.authorKeys()).containsExactly("/authors/OL34184A");
    assertThat(edition.workKey()).isEqualTo("/works/OL45804W");
    assertThat(edition.description()).isNull();
  }

  @Test
  void readsAnEditionsOwnPlainStringDescription() {
    var edition = OpenLibraryRecords.edition(record("books-OL22853304M"));

    assertThat(edition.title()).isEqualTo("Slow reading");
    assertThat(edition.description())
        .isEqualTo(
            "\"A study of voluntary slow reading from diverse angles\"--Provided by publisher.");
    assertThat(edition.publishers()).isEqualTo("Litwin Books");
  }

  @Test
  void takesTheFirstOfSeveralCovers() {
    assertThat(OpenLibraryRecords.edition(record("books-OL28508809M")).coverId())
        .isEqualTo(14615097L);
  }

  @Test
  void readsAWorkDescriptionGivenAsAPlainString() {
    var description = OpenLibraryRecords.description(record("works-OL45804W").path("description"));

    assertThat(description)
        .startsWith("The main character of Fantastic Mr. Fox")
        .doesNotContain("\r");
  }

  @Test
  void readsAWorkDescriptionGivenAsATypedText() {
    var description =
        OpenLibraryRecords.description(record("works-OL13694821W").path("description"));

    assertThat(description)
        .startsWith("A concise examination of the different meanings of slow reading.");
  }

  @Test
  void skipsTheRemovedCoverMarker() {
    // works-OL45804W lists -1 among its covers
    assertThat(OpenLibraryRecords.coverId(record("works-OL45804W"))).isPositive();
  }

  @Test
  void readsAuthorNames() {
    assertThat(OpenLibraryRecords.authorName(record("authors-OL34184A"))).isEqualTo("Roald Dahl");
    assertThat(OpenLibraryRecords.authorName(record("authors-OL20187A")))
        .isEqualTo("Kurt Vonnegut");
  }
}
