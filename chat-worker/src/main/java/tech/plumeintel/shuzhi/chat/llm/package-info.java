/**
 * The model: an OpenAI-compatible streaming client (DeepSeek by default) and, for the local run
 * without a key, an offline stand-in; both yield the same {@link ModelEvent}s.
 */
@NullMarked
package tech.plumeintel.shuzhi.chat.llm;

import org.jspecify.annotations.NullMarked;
