package tech.plumeintel.shuzhi.testsupport;

import java.util.concurrent.atomic.AtomicLong;

/** Valid, distinct ISBN-13s, so that tests sharing one store never see each other's books. */
public final class TestIsbns {

  private static final AtomicLong NEXT = new AtomicLong(System.nanoTime() % 1_000_000_000L);

  private TestIsbns() {}

  public static String next() {
    return withCheckDigit("978" + String.format("%09d", NEXT.incrementAndGet() % 1_000_000_000L));
  }

  /** Completes twelve digits into an ISBN-13. */
  public static String withCheckDigit(String twelveDigits) {
    int sum = 0;
    for (int i = 0; i < 12; i++) {
      sum += (twelveDigits.charAt(i) - '0') * (i % 2 == 0 ? 1 : 3);
    }
    return twelveDigits + (10 - sum % 10) % 10;
  }
}
