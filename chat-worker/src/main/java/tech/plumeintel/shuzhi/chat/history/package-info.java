/** History: each finished exchange and its conversation, stored in MongoDB for the user module. */
@NullMarked
package tech.plumeintel.shuzhi.chat.history;

import org.jspecify.annotations.NullMarked;
