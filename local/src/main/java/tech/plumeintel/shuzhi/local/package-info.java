/**
 * The one-command local run: a real Kafka broker, Redis and a file-backed Mongo-wire store, then
 * the three services as child processes, all stopped together.
 */
@NullMarked
package tech.plumeintel.shuzhi.local;

import org.jspecify.annotations.NullMarked;
