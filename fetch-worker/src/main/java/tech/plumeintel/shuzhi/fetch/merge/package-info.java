/** Asks the sources in order and merges their answers field by field, the first source winning. */
@NullMarked
package tech.plumeintel.shuzhi.fetch.merge;

import org.jspecify.annotations.NullMarked;
