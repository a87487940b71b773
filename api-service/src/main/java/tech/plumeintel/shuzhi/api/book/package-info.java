/** Book lookups: answered from MongoDB when known, otherwise a task a fetch-worker completes. */
@NullMarked
package tech.plumeintel.shuzhi.api.book;

import org.jspecify.annotations.NullMarked;
