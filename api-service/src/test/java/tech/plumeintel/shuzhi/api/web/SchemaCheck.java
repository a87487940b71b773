package tech.plumeintel.shuzhi.api.web;

import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.list;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.map;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Checks a JSON answer against a documented schema, for the part of JSON Schema the document uses
 * (type, const, enum, required, properties, additionalProperties, items, allOf, oneOf). Objects are
 * closed: a field the schema does not declare is a problem, so a renamed or added field cannot go
 * undocumented.
 */
final class SchemaCheck {

  /** What the document may say in a schema; anything else is a typo or a YAML slip. */
  private static final Set<String> KEYWORDS =
      Set.of(
          "$ref",
          "type",
          "const",
          "enum",
          "required",
          "properties",
          "additionalProperties",
          "items",
          "allOf",
          "oneOf",
          "description",
          "example",
          "examples",
          "format",
          "pattern",
          "minLength",
          "maxLength",
          "minimum",
          "maximum",
          "minItems",
          "maxItems",
          "default",
          "contentMediaType");

  private final OpenApiDocument document;

  SchemaCheck(OpenApiDocument document) {
    this.document = document;
  }

  List<String> problems(JsonNode value, Object schema) {
    var problems = new ArrayList<String>();
    check(value, schema, "$", true, problems);
    return problems;
  }

  /**
   * Keywords this check does not know, in a schema and the schemas inside it: a misspelt {@code
   * requried}, or a flow mapping split at a comma ({@code {description: a, b}}), would otherwise
   * weaken the checks silently.
   */
  static List<String> unknownKeywords(Object node, String at) {
    var unknown = new ArrayList<String>();
    var schema = map(node);
    schema.keySet().stream()
        .filter(key -> !KEYWORDS.contains(key))
        .forEach(key -> unknown.add(at + ": " + key));
    map(schema.get("properties"))
        .forEach((name, property) -> unknown.addAll(unknownKeywords(property, at + "." + name)));
    for (var key : List.of("items", "additionalProperties")) {
      if (schema.get(key) instanceof Map<?, ?> inner) {
        unknown.addAll(unknownKeywords(inner, at + "/" + key));
      }
    }
    for (var key : List.of("allOf", "oneOf")) {
      int index = 0;
      for (var branch : list(schema.get(key))) {
        unknown.addAll(unknownKeywords(branch, at + "/" + key + "[" + index++ + "]"));
      }
    }
    return unknown;
  }

  private void check(
      JsonNode value, Object node, String at, boolean closed, List<String> problems) {
    var schema = document.resolve(node);
    if (schema.containsKey("type") && !typeMatches(value, schema.get("type"))) {
      problems.add(at + ": " + value.getNodeType() + " is not of type " + schema.get("type"));
      return;
    }
    if (schema.containsKey("const") && !same(value, schema.get("const"))) {
      problems.add(at + ": " + value + " is not " + schema.get("const"));
    }
    if (schema.containsKey("enum")
        && list(schema.get("enum")).stream().noneMatch(e -> same(value, e))) {
      problems.add(at + ": " + value + " is not one of " + schema.get("enum"));
    }
    for (var part : list(schema.get("allOf"))) {
      check(value, part, at, false, problems);
    }
    if (schema.containsKey("oneOf")) {
      var matching =
          list(schema.get("oneOf")).stream()
              .filter(branch -> problems(value, branch).isEmpty())
              .count();
      if (matching != 1) {
        problems.add(at + ": matches " + matching + " branches of oneOf instead of one");
      }
    }
    if (value.isObject()) {
      checkObject(value, schema, at, closed, problems);
    }
    if (value.isArray() && schema.containsKey("items")) {
      int index = 0;
      for (var element : value.values()) {
        check(element, schema.get("items"), at + "[" + index++ + "]", true, problems);
      }
    }
  }

  private void checkObject(
      JsonNode value,
      Map<String, Object> schema,
      String at,
      boolean closed,
      List<String> problems) {
    for (var name : list(schema.get("required"))) {
      if (!value.has(String.valueOf(name))) {
        problems.add(at + ": lacks required " + name);
      }
    }
    var properties = map(schema.get("properties"));
    var additional = schema.get("additionalProperties");
    // A oneOf's branches say which fields belong; so does the schema that holds an allOf.
    boolean closedHere =
        closed
            && !schema.containsKey("oneOf")
            && (schema.containsKey("properties") || schema.containsKey("allOf"));
    var declared = declared(schema);
    for (var field : value.properties()) {
      var name = field.getKey();
      var where = at + "." + name;
      if (properties.containsKey(name)) {
        check(field.getValue(), properties.get(name), where, true, problems);
      } else if (additional instanceof Map<?, ?>) {
        check(field.getValue(), additional, where, true, problems);
      } else if (closedHere && !declared.contains(name) && !Boolean.TRUE.equals(additional)) {
        problems.add(where + ": not documented");
      }
    }
  }

  private Set<String> declared(Map<String, Object> schema) {
    var names = new HashSet<>(map(schema.get("properties")).keySet());
    for (var part : list(schema.get("allOf"))) {
      names.addAll(declared(document.resolve(part)));
    }
    return names;
  }

  private static boolean typeMatches(JsonNode value, Object type) {
    var types = type instanceof List<?> several ? several : List.of(type);
    return types.stream()
        .map(String::valueOf)
        .anyMatch(
            t ->
                switch (t) {
                  case "null" -> value.isNull();
                  case "string" -> value.isString();
                  case "integer" -> value.isIntegralNumber();
                  case "number" -> value.isNumber();
                  case "boolean" -> value.isBoolean();
                  case "object" -> value.isObject();
                  case "array" -> value.isArray();
                  default -> throw new AssertionError("unknown type " + t);
                });
  }

  private static boolean same(JsonNode value, Object expected) {
    return switch (expected) {
      case null -> value.isNull();
      case Boolean b -> value.isBoolean() && value.booleanValue() == b;
      case Number n -> value.isIntegralNumber() && value.longValue() == n.longValue();
      default -> value.isString() && value.stringValue().equals(String.valueOf(expected));
    };
  }
}
