/** Google Books: the volume search by ISBN. */
@NullMarked
package tech.plumeintel.shuzhi.fetch.source.google;

import org.jspecify.annotations.NullMarked;
