package tech.plumeintel.shuzhi.api.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The served OpenAPI description as plain maps and lists; local {@code $ref}s are followed. */
final class OpenApiDocument {

  /** A variable in a path template, its name as group 1. */
  static final Pattern PATH_VARIABLE = Pattern.compile("\\{([^}]+)}");

  private static final List<String> METHODS =
      List.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  /** One operation: an HTTP method on a documented path. */
  record Operation(String method, String path, Map<String, Object> node) {
    String key() {
      return method.toUpperCase(Locale.ROOT) + " " + path;
    }
  }

  private final Map<String, Object> root;

  private OpenApiDocument(Map<String, Object> root) {
    this.root = root;
  }

  static OpenApiDocument parse(String yaml) {
    return new OpenApiDocument(map(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml)));
  }

  /** The document as built into the application, without starting it. */
  static OpenApiDocument fromClasspath() {
    try (var in = OpenApiDocument.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new AssertionError("openapi.yaml is not on the classpath");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Map<String, Object> root() {
    return root;
  }

  List<Operation> operations() {
    var operations = new ArrayList<Operation>();
    map(root.get("paths"))
        .forEach(
            (path, item) ->
                map(item)
                    .forEach(
                        (key, node) -> {
                          if (METHODS.contains(key)) {
                            operations.add(new Operation(key, path, map(node)));
                          }
                        }));
    return operations;
  }

  /** The path item's parameters and the operation's, resolved; the operation's win by name. */
  List<Map<String, Object>> parameters(Operation operation) {
    var byName = new LinkedHashMap<String, Map<String, Object>>();
    var pathItem = map(map(root.get("paths")).get(operation.path()));
    for (var source : List.of(pathItem, operation.node())) {
      for (var parameter : list(source.get("parameters"))) {
        var resolved = resolve(parameter);
        byName.put(resolved.get("in") + ":" + resolved.get("name"), resolved);
      }
    }
    return List.copyOf(byName.values());
  }

  /** Status (or {@code default}) to the resolved response. */
  Map<String, Map<String, Object>> responses(Operation operation) {
    var responses = new LinkedHashMap<String, Map<String, Object>>();
    map(operation.node().get("responses"))
        .forEach((status, response) -> responses.put(status, resolve(response)));
    return responses;
  }

  /** The request body (as {@code request}) and the responses (by status), resolved. */
  Map<String, Map<String, Object>> bodies(Operation operation) {
    var bodies = new LinkedHashMap<String, Map<String, Object>>();
    if (operation.node().containsKey("requestBody")) {
      bodies.put("request", resolve(operation.node().get("requestBody")));
    }
    bodies.putAll(responses(operation));
    return bodies;
  }

  /** A media type's {@code example} and the values of its {@code examples}. */
  static List<Object> examples(Object mediaType) {
    var media = map(mediaType);
    var examples = new ArrayList<Object>();
    if (media.containsKey("example")) {
      examples.add(media.get("example"));
    }
    map(media.get("examples")).values().forEach(example -> examples.add(map(example).get("value")));
    return examples;
  }

  /** The documented response of an operation for a status, resolved. */
  Map<String, Object> response(String method, String path, int status) {
    var operation =
        operations().stream()
            .filter(
                o -> o.method().equals(method.toLowerCase(Locale.ROOT)) && o.path().equals(path))
            .findFirst()
            .orElseThrow(() -> new AssertionError("not documented: " + method + " " + path));
    var response = responses(operation).get(Integer.toString(status));
    if (response == null) {
      throw new AssertionError("no " + status + " documented for " + operation.key());
    }
    return response;
  }

  /** Follows {@code $ref}s to the node they name. */
  Map<String, Object> resolve(Object node) {
    var current = map(node);
    for (int hops = 0; current.containsKey("$ref"); hops++) {
      if (hops > 20) {
        throw new AssertionError("$ref loop at " + current.get("$ref"));
      }
      current = map(at((String) current.get("$ref")));
    }
    return current;
  }

  /** The node a local reference ({@code #/components/...}) names, or null. */
  Object at(String reference) {
    if (!reference.startsWith("#/")) {
      return null;
    }
    Object node = root;
    for (var token : reference.substring(2).split("/")) {
      if (!(node instanceof Map<?, ?> parent)) {
        return null;
      }
      node = parent.get(token.replace("~1", "/").replace("~0", "~"));
    }
    return node;
  }

  /** Every {@code $ref} anywhere in the document. */
  List<String> references() {
    var found = new ArrayList<String>();
    collectReferences(root, found);
    return found;
  }

  private static void collectReferences(Object node, List<String> found) {
    if (node instanceof Map<?, ?> object) {
      object.forEach(
          (key, value) -> {
            if ("$ref".equals(key)) {
              found.add(String.valueOf(value));
            } else {
              collectReferences(value, found);
            }
          });
    } else if (node instanceof List<?> array) {
      array.forEach(value -> collectReferences(value, found));
    }
  }

  /** A YAML mapping with its keys as strings (an unquoted {@code 200:} is an integer key). */
  static Map<String, Object> map(Object node) {
    var result = new LinkedHashMap<String, Object>();
    if (node instanceof Map<?, ?> object) {
      object.forEach((key, value) -> result.put(String.valueOf(key), value));
    }
    return result;
  }

  static List<Object> list(Object node) {
    return node instanceof List<?> array ? new ArrayList<Object>(array) : List.of();
  }
}
