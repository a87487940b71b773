package tech.plumeintel.shuzhi.platform.wechat;

import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.platform.PlatformAutoConfiguration;

/**
 * WeChat's server side for every service: the shared access token and content security. Content
 * security is on when credentials are set unless switched off; in the {@code local} profile without
 * credentials it runs against the offline stand-in; elsewhere without credentials it is off, and
 * switching it on explicitly there stops the start.
 */
@AutoConfiguration(after = PlatformAutoConfiguration.class)
@EnableConfigurationProperties({WechatServerProperties.class, ContentSecurityProperties.class})
public class WechatAutoConfiguration {

  private static final Logger log = LoggerFactory.getLogger(WechatAutoConfiguration.class);

  @Bean
  @ConditionalOnMissingBean
  WechatServerApi wechatServerApi(WechatServerProperties properties) {
    return new WechatServerApi(properties);
  }

  @Bean
  @ConditionalOnMissingBean
  SharedAccessToken wechatAccessToken(
      WechatServerApi wechat,
      StringRedisTemplate redis,
      WechatServerProperties properties,
      Clock clock) {
    return new SharedAccessToken(wechat, redis, properties, clock);
  }

  @Bean
  @ConditionalOnMissingBean
  ReaderOpenids readerOpenids(MongoDatabase database) {
    return new ReaderOpenids(database);
  }

  @Bean
  @ConditionalOnMissingBean
  ContentSecurity contentSecurity(
      WechatServerProperties wechat,
      ContentSecurityProperties properties,
      WechatServerApi api,
      SharedAccessToken token,
      MeterRegistry meters,
      Environment environment) {
    var switchedOn = properties.enabled();
    if (Boolean.FALSE.equals(switchedOn)) {
      log.warn("WeChat content security is switched off (SHUZHI_CONTENT_SECURITY_ENABLED=false)");
      return new ContentSecurity(null, properties, meters);
    }
    if (wechat.hasCredentials()) {
      log.info("WeChat content security on, {}", properties.onFailure());
      return new ContentSecurity(
          new WechatTextChecker(api, token, properties.timeout()), properties, meters);
    }
    if (environment.acceptsProfiles(Profiles.of("local"))) {
      log.warn(
          "OFFLINE CONTENT-SECURITY STAND-IN ACTIVE: no WeChat credentials, local profile; texts"
              + " containing the configured test phrase are judged risky, all others pass");
      return new ContentSecurity(
          new OfflineTextChecker(properties.offlineRiskyPhrase()), properties, meters);
    }
    if (Boolean.TRUE.equals(switchedOn)) {
      throw new IllegalStateException(
          "SHUZHI_CONTENT_SECURITY_ENABLED=true needs SHUZHI_WECHAT_APP_ID and"
              + " SHUZHI_WECHAT_APP_SECRET");
    }
    log.warn("WeChat content security is off: no WeChat credentials");
    return new ContentSecurity(null, properties, meters);
  }
}
