package tech.plumeintel.shuzhi.common.book;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IsbnTest {

  @ParameterizedTest
  @CsvSource({
    "9787536025080, 9787536025080",
    "978-7-5360-2508-0, 9787536025080",
    "978 7 5360 2508 0, 9787536025080",
    "7536025084, 9787536025080",
    "7-5360-2508-4, 9787536025080",
    "080442957X, 9780804429573",
    "080442957x, 9780804429573",
    "0-8044-2957-X, 9780804429573",
    "9791032305690, 9791032305690",
  })
  void normalisesEveryWrittenFormToIsbn13(String input, String expected) {
    assertThat(Isbn.parse(input).value()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "9787536025081", // wrong check digit
        "7536025085", // wrong ISBN-10 check digit
        "X536025084", // X only as the check digit
        "9771234567003", // ISSN prefix, not Bookland
        "97875360250", // too short
        "97875360250800", // too long
        "978-7-5360-2508-0a",
        "978_7536025080",
        "９７８７５３６０２５０８０", // full-width digits
        "",
        "                                  9787536025080",
      })
  void rejectsWhatIsNotAnIsbn(String input) {
    assertThatThrownBy(() -> Isbn.parse(input)).isInstanceOf(InvalidIsbnException.class);
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> Isbn.parse(null)).isInstanceOf(InvalidIsbnException.class);
  }

  @Test
  void givesTheIsbn10OnlyFor978() {
    assertThat(Isbn.parse("9780804429573").isbn10()).contains("080442957X");
    assertThat(Isbn.parse("9787536025080").isbn10()).contains("7536025084");
    assertThat(Isbn.parse("9791032305690").isbn10()).isEmpty();
  }

  @Test
  void canonicalConstructorRefusesUncheckedValues() {
    assertThatThrownBy(() -> new Isbn("978-7536025080")).isInstanceOf(InvalidIsbnException.class);
    assertThatThrownBy(() -> new Isbn("9787536025081")).isInstanceOf(InvalidIsbnException.class);
  }
}
