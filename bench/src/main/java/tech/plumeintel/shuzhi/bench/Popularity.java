package tech.plumeintel.shuzhi.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which book the n-th lookup asks for: a Zipf curve over the catalogue (rank k asked in proportion
 * to 1/k^s), as book popularity is. The draws are made once, from a fixed seed, so every run and
 * every repetition asks for the same sequence and the lookup's hot path is an array read.
 */
final class Popularity {

  private final int[] draws;

  Popularity(int books, double exponent, int draws, long seed) {
    var cumulative = new double[books];
    double sum = 0;
    for (int rank = 1; rank <= books; rank++) {
      sum += 1 / Math.pow(rank, exponent);
      cumulative[rank - 1] = sum;
    }
    var random = new SplittableRandom(seed);
    this.draws = new int[draws];
    for (int i = 0; i < draws; i++) {
      int at = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
      this.draws[i] = Math.min(books - 1, at >= 0 ? at : -at - 1);
    }
  }

  /** The book (0 = the most popular) of the n-th lookup. */
  int book(int n) {
    return draws[Math.floorMod(n, draws.length)];
  }

  /** How many distinct books the first {@code n} lookups touch. */
  long distinct(int n) {
    return Arrays.stream(draws, 0, Math.min(n, draws.length)).distinct().count();
  }
}
