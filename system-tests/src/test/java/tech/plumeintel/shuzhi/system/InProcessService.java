package tech.plumeintel.shuzhi.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One of the services, started in this JVM from its application class as {@code main} would, with
 * its own {@code application.yml} and the given properties as command-line arguments (they beat the
 * file, as the environment does in production).
 *
 * <p>The three services share this JVM and its classpath, where each jar brings an {@code
 * application.yml}: each is pointed at its own with {@code spring.config.location}, and keeps its
 * meters to itself instead of adding them to Micrometer's global registry.
 */
final class InProcessService implements AutoCloseable {

  private final String name;
  private final ConfigurableApplicationContext context;

  private InProcessService(String name, ConfigurableApplicationContext context) {
    this.name = name;
    this.context = context;
  }

  static InProcessService start(Class<?> application, Map<String, String> properties) {
    var all = new LinkedHashMap<String, String>();
    all.put("spring.config.location", ownConfiguration(application));
    all.put("server.port", "0");
    all.put("management.server.port", "0");
    all.put("management.metrics.use-global-registry", "false");
    all.put("spring.main.banner-mode", "off");
    all.putAll(properties);
    var args = new ArrayList<String>();
    all.forEach((key, value) -> args.add("--" + key + "=" + value));
    var context =
        new SpringApplicationBuilder(application)
            .main(application)
            .run(args.toArray(String[]::new));
    return new InProcessService(application.getSimpleName(), context);
  }

  /** The {@code application.yml} inside the jar (or classes directory) of this application. */
  static String ownConfiguration(Class<?> application) {
    var home = application.getProtectionDomain().getCodeSource().getLocation().toString();
    try {
      for (var url :
          Collections.list(application.getClassLoader().getResources("application.yml"))) {
        if (url.toString().startsWith(home) || url.toString().startsWith("jar:" + home + "!")) {
          return url.toString();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(
        "no application.yml next to " + application.getName() + " in " + home);
  }

  int port() {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  int managementPort() {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.management.port"));
  }

  <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  String name() {
    return name;
  }

  @Override
  public void close() {
    context.close();
  }
}
