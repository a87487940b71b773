/** Open Library: the edition behind an ISBN, its authors' names and its work's description. */
@NullMarked
package tech.plumeintel.shuzhi.fetch.source.openlibrary;

import org.jspecify.annotations.NullMarked;
