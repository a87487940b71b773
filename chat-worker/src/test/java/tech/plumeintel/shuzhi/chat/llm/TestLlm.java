package tech.plumeintel.shuzhi.chat.llm;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Model clients for tests, configured as an operator would: by {@code shuzhi.llm.*} properties. */
public final class TestLlm {

  private TestLlm() {}

  /** Binds the properties (names relative to {@code shuzhi.llm}, e.g. {@code base-url}). */
  public static LlmProperties properties(Map<String, String> values) {
    var source = new LinkedHashMap<String, String>();
    values.forEach((name, value) -> source.put("shuzhi.llm." + name, value));
    return new Binder(new MapConfigurationPropertySource(source))
        .bindOrCreate("shuzhi.llm", LlmProperties.class);
  }

  public static ChatModel client(LlmProperties properties) {
    return client(properties, new SimpleMeterRegistry());
  }

  static OpenAiCompatibleClient client(LlmProperties properties, MeterRegistry meters) {
    var upstreams = new Upstreams(properties);
    return new OpenAiCompatibleClient(
        properties, upstreams, new UpstreamMetrics(meters, upstreams));
  }
}
