package tech.plumeintel.shuzhi.api.book;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.api.web.ErrorBody;

/** A polled task, as the contract shows it. */
@JsonInclude(JsonInclude.Include.ALWAYS)
record TaskView(
    String taskId, String status, @Nullable BookView result, @Nullable ErrorBody error) {

  static TaskView of(BookTask task) {
    ErrorBody error = null;
    if (task.errorCode() != null) {
      error =
          new ErrorBody(
              task.errorCode(), task.errorMessage() == null ? "查找失败" : task.errorMessage());
    }
    return new TaskView(task.id(), task.status().wire(), null, error);
  }

  static TaskView succeeded(BookTask task, BookView book) {
    return new TaskView(task.id(), task.status().wire(), book, null);
  }
}
