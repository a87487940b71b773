/** The prompt: a system prompt built from the book in MongoDB, then the client's turns. */
@NullMarked
package tech.plumeintel.shuzhi.chat.prompt;

import org.jspecify.annotations.NullMarked;
