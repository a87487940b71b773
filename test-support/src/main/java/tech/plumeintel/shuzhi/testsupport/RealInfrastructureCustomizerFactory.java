package tech.plumeintel.shuzhi.testsupport;

import java.util.HashMap;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Adds the infrastructure's connection properties to contexts of {@link RealInfrastructure} tests.
 */
final class RealInfrastructureCustomizerFactory implements ContextCustomizerFactory {

  static final String DATABASE = "shuzhi";

  @Override
  public ContextCustomizer createContextCustomizer(
      Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
    if (!MergedAnnotations.from(testClass, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY)
        .isPresent(RealInfrastructure.class)) {
      return null;
    }
    return new InfrastructureProperties();
  }

  /** Stateless, so that every test context using it can be cached and shared. */
  private record InfrastructureProperties() implements ContextCustomizer {
    @Override
    public void customizeContext(
        ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
      var properties =
          new HashMap<String, Object>(TestInfrastructure.shared().springProperties(DATABASE));
      context
          .getEnvironment()
          .getPropertySources()
          .addFirst(new MapPropertySource("shuzhiTestInfrastructure", properties));
    }
  }
}
