package tech.plumeintel.shuzhi.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Compose files as Compose reads them, for tests without a Docker engine: the {@code !reset} and
 * {@code !override} tags of override files, variable interpolation, and the merge of an override
 * file over the base file (maps merge, {@code !reset} removes, {@code !override} replaces).
 */
final class ComposeYaml {

  /** {@code !reset}: the key is removed from what the base file said. */
  static final Object RESET = new Object();

  /** {@code !override}: the value replaces the base file's instead of merging with it. */
  record Replace(Object value) {}

  /** A {@code ${VAR:?message}} (or {@code ${VAR?message}}) whose variable is not set. */
  static final class MissingVariable extends RuntimeException {
    MissingVariable(String variable, String message) {
      super(variable + ": " + message);
    }
  }

  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

  private ComposeYaml() {}

  static Map<String, Object> load(Path file) {
    try {
      return new Yaml(new ComposeConstructor()).load(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every string interpolated as Compose does with {@code environment} as the shell and .env. */
  static Object interpolate(Object value, Map<String, String> environment) {
    return switch (value) {
      case String text -> interpolate(text, environment);
      case Map<?, ?> map -> {
        var result = new LinkedHashMap<Object, Object>();
        map.forEach((k, v) -> result.put(k, interpolate(v, environment)));
        yield result;
      }
      case List<?> list -> list.stream().map(v -> interpolate(v, environment)).toList();
      case Replace replace -> new Replace(interpolate(replace.value(), environment));
      case null, default -> value;
    };
  }

  static String interpolate(String text, Map<String, String> environment) {
    Matcher matcher = VARIABLE.matcher(text);
    var result = new StringBuilder();
    while (matcher.find()) {
      String replacement;
      if (matcher.group().equals("$$")) {
        replacement = "$";
      } else {
        var name = matcher.group(1);
        var operator = matcher.group(2);
        var argument = matcher.group(3) == null ? "" : matcher.group(3);
        var value = environment.get(name);
        boolean missing =
            operator != null && operator.startsWith(":") ? isEmpty(value) : value == null;
        if (operator == null) {
          replacement = value == null ? "" : value;
        } else if (operator.endsWith("-")) {
          replacement = missing ? argument : value;
        } else if (missing) {
          throw new MissingVariable(name, argument);
        } else {
          replacement = value;
        }
      }
      matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(result);
    return result.toString();
  }

  /** The override file's view laid over the base file's, as {@code docker compose -f a -f b}. */
  @SuppressWarnings("unchecked")
  static Object merge(Object base, Object override) {
    if (override == RESET) {
      return null;
    }
    if (override instanceof Replace(Object replacement)) {
      return replacement;
    }
    if (base instanceof Map<?, ?> baseMap && override instanceof Map<?, ?> overrideMap) {
      var result = new LinkedHashMap<>((Map<Object, Object>) baseMap);
      overrideMap.forEach(
          (key, value) -> {
            var merged = merge(result.get(key), value);
            if (merged == null && (value == RESET)) {
              result.remove(key);
            } else {
              result.put(key, merged);
            }
          });
      return result;
    }
    if (base instanceof List<?> baseList && override instanceof List<?> overrideList) {
      var result = new ArrayList<Object>(baseList);
      overrideList.stream().filter(v -> !result.contains(v)).forEach(result::add);
      return result;
    }
    return override;
  }

  /** The file without Compose's tags, for the schema: {@code !reset} as an empty list. */
  static Object plain(Object value) {
    return switch (value) {
      case Map<?, ?> map -> {
        var result = new LinkedHashMap<Object, Object>();
        map.forEach((k, v) -> result.put(k, plain(v)));
        yield result;
      }
      case List<?> list -> list.stream().map(ComposeYaml::plain).toList();
      case Replace replace -> plain(replace.value());
      case null -> null;
      default -> value == RESET ? List.of() : value;
    };
  }

  private static boolean isEmpty(String value) {
    return value == null || value.isEmpty();
  }

  private static final class ComposeConstructor extends SafeConstructor {
    ComposeConstructor() {
      super(new LoaderOptions());
      yamlConstructors.put(
          new Tag("!reset"),
          new AbstractConstruct() {
            @Override
            public Object construct(Node node) {
              return RESET;
            }
          });
      yamlConstructors.put(
          new Tag("!override"),
          new AbstractConstruct() {
            @Override
            public Object construct(Node node) {
              return new Replace(constructMapping((MappingNode) node));
            }
          });
    }
  }
}
