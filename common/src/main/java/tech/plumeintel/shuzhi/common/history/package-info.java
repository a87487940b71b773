/**
 * History: the conversations a user had about a book and their exchanges, as the chat-worker stores
 * them in MongoDB and the API's user module reads them.
 */
@NullMarked
package tech.plumeintel.shuzhi.common.history;

import org.jspecify.annotations.NullMarked;
