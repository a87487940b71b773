package tech.plumeintel.shuzhi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PopularityTest {

  @Test
  void theMostPopularBookIsAskedForAsZipfSays() {
    var popularity = new Popularity(10_000, 1.0, 200_000, 7);
    long first = 0;
    long tenth = 0;
    for (int n = 0; n < 200_000; n++) {
      int book = popularity.book(n);
      assertThat(book).isBetween(0, 9_999);
      first += book == 0 ? 1 : 0;
      tenth += book == 9 ? 1 : 0;
    }
    // H(10,000) ≈ 9.79: rank 1 takes ~10.2 % of the lookups, rank 10 a tenth of that.
    assertThat(first / 200_000.0).isBetween(0.09, 0.115);
    assertThat((double) first / tenth).isBetween(8.0, 12.5);
  }

  @Test
  void theLongTailIsReached() {
    var popularity = new Popularity(10_000, 1.0, 200_000, 7);
    assertThat(popularity.distinct(200_000)).isGreaterThan(5_000);
  }

  @Test
  void theSameSeedAsksForTheSameSequence() {
    var a = new Popularity(1_000, 1.0, 1_000, 3);
    var b = new Popularity(1_000, 1.0, 1_000, 3);
    for (int n = 0; n < 1_000; n++) {
      assertThat(a.book(n)).isEqualTo(b.book(n));
    }
  }
}
