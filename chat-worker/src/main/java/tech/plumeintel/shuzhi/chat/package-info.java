/**
 * The chat-worker: takes chat jobs from Kafka, generates each on its own virtual thread within a
 * bounded number of streams, and relays the model's tokens to Redis for the API.
 */
@NullMarked
package tech.plumeintel.shuzhi.chat;

import org.jspecify.annotations.NullMarked;
