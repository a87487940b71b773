package tech.plumeintel.shuzhi.api.book;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.Caller;
import tech.plumeintel.shuzhi.api.web.RateLimits;
import tech.plumeintel.shuzhi.common.book.BookTaskStatus;
import tech.plumeintel.shuzhi.common.book.Isbn;

/** {@code GET /api/books/{isbn}/} and the task a reader polls when the book is not known yet. */
@RestController
class BookController {

  private final BookLookup lookup;
  private final TaskBoard tasks;
  private final BookStore books;
  private final RateLimits limits;
  private final BookJson json;
  private final CoverUrls covers;

  BookController(
      BookLookup lookup,
      TaskBoard tasks,
      BookStore books,
      RateLimits limits,
      BookJson json,
      CoverUrls covers) {
    this.covers = covers;
    this.limits = limits;
    this.json = json;
    this.lookup = lookup;
    this.tasks = tasks;
    this.books = books;
  }

  @GetMapping("/api/books/{isbn}/")
  ResponseEntity<?> book(Caller caller, @PathVariable String isbn, HttpServletRequest request) {
    limits.take(RateLimits.Limit.LOOKUP_USER, caller.userId());
    return switch (lookup.lookUp(IsbnParameter.parse(isbn))) {
      case BookLookup.Outcome.Known known ->
          ResponseEntity.ok()
              .contentType(MediaType.APPLICATION_JSON)
              .body(json.render(known.book(), request));
      case BookLookup.Outcome.Pending pending -> {
        var pollUrl = apiBase().resolve("/api/tasks/" + pending.taskId() + "/");
        yield ResponseEntity.status(HttpStatus.ACCEPTED)
            .location(pollUrl)
            .body(
                Map.of(
                    "task_id",
                    pending.taskId(),
                    "status",
                    BookTaskStatus.PENDING.wire(),
                    "poll_url",
                    pollUrl.toString()));
      }
    };
  }

  @GetMapping("/api/tasks/{taskId}/")
  TaskView task(Caller caller, @PathVariable String taskId) {
    if (taskId.length() > 64) {
      throw ApiException.notFound("没有这个任务");
    }
    var task = tasks.find(taskId).orElseThrow(() -> ApiException.notFound("没有这个任务，或已过期"));
    return switch (task.status()) {
      case SUCCEEDED ->
          books
              .find(Isbn.parse(task.isbn()))
              .map(book -> TaskView.succeeded(task, BookView.ofCurrentRequest(book, covers)))
              .orElseGet(() -> TaskView.of(task));
      default -> TaskView.of(task);
    };
  }

  private static URI apiBase() {
    return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUri();
  }
}
