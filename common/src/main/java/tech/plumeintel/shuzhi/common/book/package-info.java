/** Books: the ISBN, the stored book, the lookup job and its task store. */
@NullMarked
package tech.plumeintel.shuzhi.common.book;

import org.jspecify.annotations.NullMarked;
