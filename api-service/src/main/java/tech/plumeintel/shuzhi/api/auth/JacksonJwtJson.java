package tech.plumeintel.shuzhi.api.auth;

import io.jsonwebtoken.io.AbstractDeserializer;
import io.jsonwebtoken.io.AbstractSerializer;
import java.io.OutputStream;
import java.io.Reader;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** jjwt's JSON module targets Jackson 2; these adapters let it use the application's Jackson 3. */
final class JacksonJwtJson {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private JacksonJwtJson() {}

  static final class Serializer extends AbstractSerializer<Map<String, ?>> {
    @Override
    protected void doSerialize(Map<String, ?> value, OutputStream out) {
      MAPPER.writeValue(out, value);
    }
  }

  static final class Deserializer extends AbstractDeserializer<Map<String, ?>> {
    @Override
    protected Map<String, ?> doDeserialize(Reader reader) {
      return MAPPER.readValue(reader, new TypeReference<Map<String, Object>>() {});
    }
  }
}
