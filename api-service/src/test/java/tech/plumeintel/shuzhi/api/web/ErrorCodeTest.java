package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorCodeTest {

  @Test
  void aBareStatusGetsTheCodeTheContractPairsWithIt() {
    assertThat(ErrorCode.forStatus(400)).isEqualTo(ErrorCode.INVALID_PARAMS);
    assertThat(ErrorCode.forStatus(401)).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(ErrorCode.forStatus(404)).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(ErrorCode.forStatus(429)).isEqualTo(ErrorCode.RATE_LIMIT);
    assertThat(ErrorCode.forStatus(500)).isEqualTo(ErrorCode.SERVER_ERROR);
    assertThat(ErrorCode.forStatus(503)).isEqualTo(ErrorCode.UPSTREAM_ERROR);
  }

  @Test
  void anyOtherClientErrorIsInvalidParamsAndAnyOtherStatusOurs() {
    assertThat(ErrorCode.forStatus(405)).isEqualTo(ErrorCode.INVALID_PARAMS);
    assertThat(ErrorCode.forStatus(413)).isEqualTo(ErrorCode.INVALID_PARAMS);
    assertThat(ErrorCode.forStatus(431)).isEqualTo(ErrorCode.INVALID_PARAMS);
    assertThat(ErrorCode.forStatus(502)).isEqualTo(ErrorCode.SERVER_ERROR);
  }

  @Test
  void everyCodeComesBackFromItsOwnStatusExceptTheModelsAndContentRejectionsWhichShareOne() {
    for (var code : ErrorCode.values()) {
      // The contract gives the model's failure 503 and content security's refusal 400 (#17).
      var expected =
          switch (code) {
            case MODEL_ERROR -> ErrorCode.UPSTREAM_ERROR;
            case CONTENT_REJECTED -> ErrorCode.INVALID_PARAMS;
            default -> code;
          };
      assertThat(ErrorCode.forStatus(code.status().value())).isEqualTo(expected);
    }
  }
}
