package tech.plumeintel.shuzhi.platform.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentSecurityTest {

  @Test
  void textsUpToWeChatsLimitGoInOnePiece() {
    assertThat(ContentSecurity.split("a".repeat(2500))).hasSize(1);
  }

  @Test
  void longerTextsAreCutIntoPiecesOfAtMost2500CharactersThatJoinBackToTheText() {
    var text = "书".repeat(2499) + "😀" + "尾".repeat(3000);

    var parts = ContentSecurity.split(text);

    assertThat(parts).hasSize(3).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(2500));
    assertThat(String.join("", parts)).isEqualTo(text);
    assertThat(parts.get(1)).as("the emoji is not cut in half").startsWith("😀");
  }

  @Test
  void theWorstVerdictOfThePiecesWins() {
    Verdict risky = new Verdict.Risky(20001);
    Verdict unchecked = new Verdict.Unchecked("busy");
    Verdict review = new Verdict.Review(20002);
    assertThat(Verdict.worse(Verdict.PASS, review)).isEqualTo(review);
    assertThat(Verdict.worse(review, unchecked)).isEqualTo(unchecked);
    assertThat(Verdict.worse(risky, unchecked)).isEqualTo(risky);
    assertThat(Verdict.worse(Verdict.PASS, Verdict.PASS)).isEqualTo(Verdict.PASS);
  }
}
