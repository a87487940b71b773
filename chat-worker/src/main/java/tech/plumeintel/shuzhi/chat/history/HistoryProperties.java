package tech.plumeintel.shuzhi.chat.history;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the worker keeps ended exchanges ({@code shuzhi.chat.history.*}).
 *
 * @param storeRetryFor how long each write of an ended exchange is tried again while MongoDB cannot
 *     be reached (down, failing over, or out of pooled connections) before the exchange is given up
 *     and logged; it exists nowhere else once its stream has ended
 * @param storeRetryDelay the first pause between those tries; it doubles each time, up to 16 times
 *     this
 */
@ConfigurationProperties("shuzhi.chat.history")
@Validated
public record HistoryProperties(
    @DefaultValue("1m") Duration storeRetryFor, @DefaultValue("500ms") Duration storeRetryDelay) {}
