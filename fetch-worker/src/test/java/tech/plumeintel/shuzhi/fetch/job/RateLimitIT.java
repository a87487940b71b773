package tech.plumeintel.shuzhi.fetch.job;

import static org.assertj.core.api.Assertions.assertThat;
import static tech.plumeintel.shuzhi.testsupport.SourceStandIn.json;
import static tech.plumeintel.shuzhi.testsupport.SourceStandIn.redirect;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.testsupport.SourceStandIn;

/**
 * Concurrent jobs never ask one host faster than its rate: Open Library, at 3 requests a second.
 */
class RateLimitIT extends LookupScenario {

  @Test
  void requestsToOneHostNeverExceedItsRate() throws Exception {
    int before = openLibrary.requests().size();
    var isbns =
        List.of(
            Isbn.parse("9787020000067"),
            Isbn.parse("9787020000074"),
            Isbn.parse("9787020000081"),
            Isbn.parse("9787020000098"));
    for (int i = 0; i < isbns.size(); i++) {
      var edition = "/books/OL900" + i + "M.json";
      openLibrary
          .on("/isbn/" + isbns.get(i).value() + ".json", redirect(edition))
          .on(
              edition,
              json(
                  ("{\"title\": \"Rate " + i + "\", \"publishers\": [\"P\"]}")
                      .getBytes(StandardCharsets.UTF_8)));
    }

    var taskIds = isbns.stream().map(this::lookUpUnchecked).toList();

    taskIds.forEach(
        taskId -> assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded"));
    var arrivals =
        openLibrary.requests().subList(before, openLibrary.requests().size()).stream()
            .mapToLong(SourceStandIn.Request::arrivedNanos)
            .sorted()
            .toArray();
    assertThat(arrivals).hasSize(8);
    // At 3 requests a second, any 4 consecutive requests are given slots a second apart. Each waits
    // for its slot after Redis answers, so a late answer to the first one shortens the span seen
    // here:
    // 400 ms allow for that on a loaded machine (once seen: 862 ms at load average 40). Without the
    // limit, they arrive within milliseconds.
    for (int i = 0; i + 3 < arrivals.length; i++) {
      assertThat(Duration.ofNanos(arrivals[i + 3] - arrivals[i]))
          .as("requests %d to %d", i, i + 3)
          .isGreaterThan(Duration.ofMillis(600));
    }
  }
}
