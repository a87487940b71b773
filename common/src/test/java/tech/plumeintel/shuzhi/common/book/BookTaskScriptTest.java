package tech.plumeintel.shuzhi.common.book;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The scripts speak the same names as the Java side: statuses, hash fields. */
class BookTaskScriptTest {

  private static final Pattern LITERAL = Pattern.compile("'([^']*)'");
  private static final Pattern STATUS_COMPARED = Pattern.compile("status\\s*[=~]=\\s*'([^']*)'");
  private static final Pattern STATUS_WRITTEN = Pattern.compile("'status',\\s*'([^']*)'");
  private static final Set<String> REDIS_COMMANDS =
      Set.of("GET", "SET", "DEL", "EXISTS", "EXPIRE", "PX", "HGET", "HSET");
  private static final String LUA_LIST_PATTERN = "[^,]+";
  // start-or-join.lua answers whether it created the task as '1' or '0'.
  private static final Set<String> FLAGS = Set.of("0", "1");

  @ParameterizedTest
  @EnumSource(BookTaskScript.class)
  void everyStatusAScriptComparesOrWritesIsABookTaskStatus(BookTaskScript script) {
    var wire =
        Arrays.stream(BookTaskStatus.values())
            .map(BookTaskStatus::wire)
            .collect(Collectors.toSet());
    var code = code(script);

    for (var status : matches(STATUS_COMPARED, code)) {
      assertThat(wire).as("%s compares status '%s'", script.file(), status).contains(status);
    }
    for (var status : matches(STATUS_WRITTEN, code)) {
      assertThat(wire).as("%s writes status '%s'", script.file(), status).contains(status);
    }
  }

  @ParameterizedTest
  @EnumSource(BookTaskScript.class)
  void everyNameInAScriptIsAStatusAFieldOrARedisCommand(BookTaskScript script) {
    var known = new HashSet<String>(REDIS_COMMANDS);
    known.add(LUA_LIST_PATTERN);
    known.addAll(FLAGS);
    Arrays.stream(BookTaskStatus.values()).map(BookTaskStatus::wire).forEach(known::add);
    known.addAll(fields());

    for (var literal : matches(LITERAL, code(script))) {
      assertThat(known).as("'%s' in %s", literal, script.file()).contains(literal);
    }
  }

  @Test
  void theScriptsBetweenThemUseEveryStatus() {
    var used = new HashSet<String>();
    for (var script : BookTaskScript.values()) {
      used.addAll(matches(STATUS_COMPARED, code(script)));
      used.addAll(matches(STATUS_WRITTEN, code(script)));
    }
    // advance.lua takes its statuses as arguments; the others name the rest.
    assertThat(used).contains("pending", "running", "succeeded", "failed");
  }

  @Test
  void aTaskIsPastItsDeadlineFromTheDeadlineOn() {
    var deadline = Instant.parse("2026-12-04T06:00:00Z");

    assertThat(BookTasks.pastDeadline(deadline, deadline.minusMillis(1))).isFalse();
    assertThat(BookTasks.pastDeadline(deadline, deadline)).isTrue();
    assertThat(BookTasks.pastDeadline(deadline, deadline.plusSeconds(1))).isTrue();
  }

  @Test
  void aJobThatNamesNoFreshnessGetsTheDefault() {
    var now = Instant.now();

    assertThat(new BookFetchRequested("t", "9787536025080", now, now, null).freshness())
        .isEqualTo(BookFetchRequested.DEFAULT_FRESHNESS);
    assertThat(
            new BookFetchRequested("t", "9787536025080", now, now, Duration.ofDays(2)).freshness())
        .isEqualTo(Duration.ofDays(2));
  }

  /** The script without its comments, which may quote anything. */
  private static String code(BookTaskScript script) {
    return script
        .source()
        .lines()
        .map(line -> line.replaceAll("--.*$", ""))
        .collect(Collectors.joining("\n"));
  }

  private static List<String> matches(Pattern pattern, String text) {
    var found = new ArrayList<String>();
    var matcher = pattern.matcher(text);
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  private static Set<String> fields() {
    var fields = new HashSet<String>();
    for (var field : BookTasks.class.getFields()) {
      if (field.getName().startsWith("FIELD_") && Modifier.isStatic(field.getModifiers())) {
        try {
          fields.add((String) field.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return fields;
  }
}
