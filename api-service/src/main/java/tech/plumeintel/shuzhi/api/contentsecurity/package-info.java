/**
 * WeChat content security on what readers write: the question before its chat job is published, the
 * nickname and avatar of a profile before it is stored.
 */
@NullMarked
package tech.plumeintel.shuzhi.api.contentsecurity;

import org.jspecify.annotations.NullMarked;
