/** Chat: the job a worker answers, and the frames of the stream it produces. */
@NullMarked
package tech.plumeintel.shuzhi.common.chat;

import org.jspecify.annotations.NullMarked;
