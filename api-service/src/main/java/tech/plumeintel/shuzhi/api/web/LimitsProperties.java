package tech.plumeintel.shuzhi.api.web;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits shared by every API instance (kept in Redis), and the origins browsers may call us from.
 *
 * @param chatPerMinute chat streams started per minute per reader (a request refused as invalid or
 *     for the day's budget does not count; one refused by the question check does)
 * @param chatPerMinutePerAddress chat streams started per minute per client address
 * @param loginPerMinute logins per minute per client address
 * @param lookupsPerMinute book lookups per minute per reader
 * @param lookupSlackPercent how many lookups an instance lets through on its own before it tells
 *     Redis, in percent of {@code lookupsPerMinute} (at least one; 0: asks Redis every time); with
 *     N instances a burst can pass the limit by at most (N−1) times that (see RateLimits)
 * @param savedBooksPerReader books a reader may save; a save beyond answers 400, so that one
 *     account cannot grow the store without bound
 * @param dailyTokens LLM tokens a reader may spend per day (Beijing time); 0 turns the budget off
 * @param corsOrigins browser origins allowed to call the API; {@code *} in a host stands for any
 *     subdomain labels (Spring's origin patterns)
 */
@ConfigurationProperties("shuzhi.limits")
public record LimitsProperties(
    @DefaultValue("60") int chatPerMinute,
    @DefaultValue("60") int chatPerMinutePerAddress,
    @DefaultValue("20") int loginPerMinute,
    @DefaultValue("120") int lookupsPerMinute,
    @DefaultValue("10") int lookupSlackPercent,
    @DefaultValue("200000") long dailyTokens,
    @DefaultValue("1000") int savedBooksPerReader,
    @DefaultValue({
          "https://sealos.plumeintel.tech",
          "https://servicewechat.com",
          "https://*.weixin.qq.com"
        })
        List<String> corsOrigins) {}
