/**
 * The job pipeline: the Kafka listener takes a chat job, a stream slot runs it on its own virtual
 * thread, and the generation prompts the model and publishes its tokens, measured as it goes.
 */
@NullMarked
package tech.plumeintel.shuzhi.chat.job;

import org.jspecify.annotations.NullMarked;
