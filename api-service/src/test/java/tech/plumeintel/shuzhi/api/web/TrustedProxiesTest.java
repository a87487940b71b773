package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

  @Test
  void noneAreTrustedByDefault() {
    assertThat(TrustedProxies.ranges(List.of())).isEmpty();
    assertThat(TrustedProxies.ranges(List.of(" "))).isEmpty();
  }

  @Test
  void bareAddressesBecomeOneAddressRangesAndRangesStay() {
    assertThat(TrustedProxies.ranges(List.of("10.0.3.7", " 172.18.0.0/16", "fd00::1", "::1/128")))
        .isEqualTo("10.0.3.7/32,172.18.0.0/16,fd00::1/128,::1/128");
  }
}
