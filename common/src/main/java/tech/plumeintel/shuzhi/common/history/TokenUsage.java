package tech.plumeintel.shuzhi.common.history;

import org.bson.codecs.pojo.annotations.BsonProperty;

/**
 * Tokens one answer cost, as the model reported them.
 *
 * @param completionTokens all generated tokens, the reasoning ones included
 * @param reasoningTokens the share of {@code completionTokens} spent thinking
 * @param cacheHitTokens prompt tokens served from DeepSeek's prefix cache (0 when not reported)
 * @param cacheMissTokens prompt tokens not served from the cache (0 when not reported)
 */
public record TokenUsage(
    @BsonProperty("prompt_tokens") int promptTokens,
    @BsonProperty("completion_tokens") int completionTokens,
    @BsonProperty("reasoning_tokens") int reasoningTokens,
    @BsonProperty("cache_hit_tokens") int cacheHitTokens,
    @BsonProperty("cache_miss_tokens") int cacheMissTokens) {}
