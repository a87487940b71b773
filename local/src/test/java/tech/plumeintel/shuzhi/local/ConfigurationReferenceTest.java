package tech.plumeintel.shuzhi.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration reference is generated from the services' configuration metadata
 * (every {@code shuzhi.*} property: the records' {@code @param} tags and each module's {@code
 * additional-spring-configuration-metadata.json}), so it cannot drift from the code. After adding a
 * property, regenerate it:
 *
 * <pre>
 * ./mvnw -B -pl local -am verify -Dtest=ConfigurationReferenceTest -Dshuzhi.reference.write=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false -DskipITs
 * </pre>
 */
class ConfigurationReferenceTest {

  static final String BEGIN =
      "<!-- configuration-reference: generated from the configuration metadata by"
          + " ConfigurationReferenceTest; do not edit by hand -->";
  static final String END = "<!-- /configuration-reference -->";

  private static final Path ROOT = root();

  @Test
  void theReadmeReferenceIsTheOneGeneratedFromTheMetadata() throws IOException {
    var readmeFile = ROOT.resolve("README.md");
    var readme = Files.readString(readmeFile);
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertThat(begin).as("README has the generated reference's markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    var generated = BEGIN + "\n" + table(ConfigurationMetadata.read(ROOT)) + END;
    var current = readme.substring(begin, end + END.length());
    if (Boolean.getBoolean("shuzhi.reference.write") && !current.equals(generated)) {
      Files.writeString(readmeFile, readme.replace(current, generated));
      current = generated;
    }
    assertThat(current)
        .as("README's configuration reference; regenerate with -Dshuzhi.reference.write=true")
        .isEqualTo(generated);
  }

  @Test
  void everyPropertyHasADescription() {
    assertThat(ConfigurationMetadata.read(ROOT).properties())
        .filteredOn(property -> property.description().isBlank())
        .extracting(ConfigurationMetadata.Property::name)
        .as("document these in their record's @param (or additional metadata)")
        .isEmpty();
  }

  @Test
  void theHandWrittenTableListsOnlyWhatTheMetadataLacks() throws IOException {
    var readme = Files.readString(ROOT.resolve("README.md"));
    int section = readme.indexOf("\n## Configuration");
    var handWritten = readme.substring(section, readme.indexOf(BEGIN));
    var generated =
        ConfigurationMetadata.read(ROOT).properties().stream()
            .map(ConfigurationMetadata.Property::variable)
            .toList();
    assertThat(variablesInFirstColumns(handWritten))
        .as("variables in both tables: delete them from the hand-written one")
        .doesNotContainAnyElementsOf(generated);
  }

  /** One row per property: variable, meaning, default, the services that read it. */
  static String table(ConfigurationMetadata metadata) {
    var rows = new StringBuilder("| Variable | Meaning | Default | Read by |\n|---|---|---|---|\n");
    for (var property : metadata.properties()) {
      rows.append("| `")
          .append(property.variable())
          .append("` | ")
          .append(cell(property.description()))
          .append(" | ")
          .append(property.defaultValue().map(v -> "`" + cell(v) + "`").orElse("—"))
          .append(" | ")
          .append(String.join(", ", ConfigurationMetadata.MODULES.get(property.module())))
          .append(" |\n");
    }
    return rows.toString();
  }

  /** Javadoc to Markdown, on one line, with the table's separator escaped. */
  private static String cell(String text) {
    return text.replaceAll("\\{@code ([^}]*)}", "`$1`")
        .replaceAll("\\{@link ([^}]*)}", "`$1`")
        .replaceAll("\\s+", " ")
        .replace("|", "\\|")
        .strip();
  }

  private static Set<String> variablesInFirstColumns(String markdown) {
    var names = new LinkedHashSet<String>();
    for (var line : markdown.lines().filter(l -> l.startsWith("|")).toList()) {
      var matcher = Pattern.compile("`([A-Z][A-Z0-9_]+)`").matcher(line.split("\\|")[1]);
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  private static Path root() {
    var dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    return dir;
  }
}
