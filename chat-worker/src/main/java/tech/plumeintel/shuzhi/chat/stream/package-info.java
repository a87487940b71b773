/**
 * The stream's Redis side: claiming a job, rendering and publishing its frames (log first, then
 * pub/sub), and hearing cancels on one pattern subscription.
 */
@NullMarked
package tech.plumeintel.shuzhi.chat.stream;

import org.jspecify.annotations.NullMarked;
