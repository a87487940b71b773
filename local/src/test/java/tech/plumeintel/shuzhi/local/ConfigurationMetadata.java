package tech.plumeintel.shuzhi.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration metadata that spring-boot-configuration-processor writes for every {@code
 * shuzhi.*} property of the services (their records' {@code @param} tags, and each module's {@code
 * additional-spring-configuration-metadata.json}), read from the modules' build output: the reactor
 * builds them before this module.
 */
record ConfigurationMetadata(List<Property> properties) {

  /** Where each module's settings apply; platform's apply to every service. */
  static final Map<String, List<String>> MODULES =
      Map.of(
          "platform", List.of("api-service", "fetch-worker", "chat-worker"),
          "api-service", List.of("api-service"),
          "fetch-worker", List.of("fetch-worker"),
          "chat-worker", List.of("chat-worker"));

  record Property(
      String name, String type, String description, Optional<String> defaultValue, String module) {

    /** The environment variable, as the README and the contract write it. */
    String variable() {
      return name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
  }

  static ConfigurationMetadata read(Path root) {
    var json = JsonMapper.builder().build();
    var byName = new LinkedHashMap<String, Property>();
    for (var module : MODULES.keySet().stream().sorted().toList()) {
      var file =
          root.resolve(module + "/target/classes/META-INF/spring-configuration-metadata.json");
      assertThat(file)
          .as("configuration metadata of " + module + " (build the reactor: -pl local -am)")
          .exists();
      JsonNode metadata;
      try {
        metadata = json.readTree(Files.readString(file));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (var property : metadata.path("properties")) {
        var name = property.path("name").asString();
        if (!name.startsWith("shuzhi.") || property.has("deprecation")) {
          continue;
        }
        byName.putIfAbsent(
            name,
            new Property(
                name,
                property.path("type").asString(""),
                property.path("description").asString(""),
                defaultValue(property.get("defaultValue")),
                module));
      }
    }
    var properties = new ArrayList<>(byName.values());
    properties.sort(Comparator.comparing(Property::name));
    return new ConfigurationMetadata(List.copyOf(properties));
  }

  Optional<Property> property(String name) {
    return properties.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  private static Optional<String> defaultValue(JsonNode value) {
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (value.isArray()) {
      var parts = new ArrayList<String>();
      value.forEach(v -> parts.add(v.asString()));
      return Optional.of(String.join(",", parts));
    }
    // Some list defaults arrive as their toString(): "[a, b]".
    var text = value.asString();
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1).replace(", ", ",");
    }
    return Optional.of(text);
  }
}
