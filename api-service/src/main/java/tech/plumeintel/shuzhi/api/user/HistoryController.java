package tech.plumeintel.shuzhi.api.user;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tech.plumeintel.shuzhi.api.book.BookStore;
import tech.plumeintel.shuzhi.api.book.BookView;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.Caller;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.common.history.TokenUsage;

/** The reader's conversations about books: the list, one whole (to continue it), delete. */
@RestController
@RequestMapping("/api/user/history/")
class HistoryController {

  private final Conversations conversations;
  private final BookStore books;

  HistoryController(Conversations conversations, BookStore books) {
    this.conversations = conversations;
    this.books = books;
  }

  @GetMapping
  PageRequest.Page<ConversationSummary> list(
      Caller caller,
      @RequestParam(required = false) @Nullable String limit,
      @RequestParam(required = false) @Nullable String offset) {
    var page = PageRequest.of(limit, offset);
    var found = conversations.page(caller.userId(), page);
    var known =
        books.findAll(found.stream().map(Conversation::isbn).distinct().toList()).stream()
            .collect(Collectors.toMap(Book::isbn, Function.identity()));
    var results =
        found.stream()
            .map(
                c -> {
                  var book = known.get(c.isbn());
                  var view = book == null ? null : BookView.ofCurrentRequest(book);
                  return new ConversationSummary(
                      c.id(),
                      c.isbn(),
                      view == null ? null : view.title(),
                      view == null ? null : view.coverUrl(),
                      c.lastQuestion(),
                      c.exchangeCount(),
                      c.createdAt(),
                      c.updatedAt());
                })
            .toList();
    return page.page(conversations.count(caller.userId()), results);
  }

  @GetMapping("{id}/")
  ConversationDetail detail(Caller caller, @PathVariable String id) {
    var conversation = conversations.find(caller.userId(), id).orElseThrow(HistoryController::none);
    var book =
        books.find(Isbn.parse(conversation.isbn())).map(BookView::ofCurrentRequest).orElse(null);
    var exchanges =
        conversations.exchanges(caller.userId(), id).stream().map(ExchangeView::of).toList();
    return new ConversationDetail(
        conversation.id(),
        conversation.isbn(),
        book,
        exchanges,
        conversation.createdAt(),
        conversation.updatedAt());
  }

  @DeleteMapping("{id}/")
  Map<String, Object> delete(Caller caller, @PathVariable String id) {
    if (!conversations.delete(caller.userId(), id)) {
      throw none();
    }
    return Map.of("deleted", true);
  }

  /** Another reader's conversation is answered exactly like one that does not exist. */
  private static ApiException none() {
    return ApiException.notFound("没有这段对话");
  }

  record ConversationSummary(
      String id,
      String isbn,
      @Nullable String title,
      @Nullable String coverUrl,
      String lastQuestion,
      int exchangeCount,
      Instant createdAt,
      Instant updatedAt) {}

  record ConversationDetail(
      String id,
      String isbn,
      @Nullable BookView book,
      List<ExchangeView> exchanges,
      Instant createdAt,
      Instant updatedAt) {}

  /** One question and answer, the thinking kept apart so a client never sends it back. */
  record ExchangeView(
      String requestId,
      String question,
      String answer,
      String reasoning,
      String status,
      @Nullable TokenUsage usage,
      Instant createdAt,
      Instant completedAt) {
    static ExchangeView of(Exchange e) {
      return new ExchangeView(
          e.requestId(),
          e.question(),
          e.answer(),
          e.reasoning(),
          e.status().name(),
          e.usage(),
          e.createdAt(),
          e.completedAt());
    }
  }
}
