/**
 * The fetch-worker: takes book lookups off Kafka ({@code job/}), asks the sources ({@code source/})
 * in order and merges their answers ({@code merge/}), keeps a copy of the cover ({@code cover/}).
 */
@NullMarked
package tech.plumeintel.shuzhi.fetch;

import org.jspecify.annotations.NullMarked;
