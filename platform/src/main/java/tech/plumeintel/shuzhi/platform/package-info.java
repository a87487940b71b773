/** How every Shuzhi service runs, whatever it does: timeouts, health, dead letters, the clock. */
@NullMarked
package tech.plumeintel.shuzhi.platform;

import org.jspecify.annotations.NullMarked;
