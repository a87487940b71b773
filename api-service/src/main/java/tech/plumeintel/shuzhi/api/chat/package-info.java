/**
 * Chat streams: the API validates the reader's question, subscribes to the stream's Redis channel,
 * hands the job to a chat-worker through Kafka and relays the frames that come back, live or
 * replayed.
 */
@NullMarked
package tech.plumeintel.shuzhi.api.chat;

import org.jspecify.annotations.NullMarked;
