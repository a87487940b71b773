/**
 * Douban Books: the ISBN redirect to a subject page, parsed from its HTML; tells bans from misses.
 */
@NullMarked
package tech.plumeintel.shuzhi.fetch.source.douban;

import org.jspecify.annotations.NullMarked;
