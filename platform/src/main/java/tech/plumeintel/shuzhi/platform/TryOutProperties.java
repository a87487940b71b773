package tech.plumeintel.shuzhi.platform;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Compose's try-out mode: {@code docker compose up} with nothing configured.
 *
 * @param enabled set by docker-compose.yml when no .env switches it off; the service then says in
 *     its log and in {@code /actuator/info} that it runs with offline stand-ins and a generated
 *     secret, not for users
 */
@ConfigurationProperties("shuzhi.try-out")
public record TryOutProperties(@DefaultValue("false") boolean enabled) {}
