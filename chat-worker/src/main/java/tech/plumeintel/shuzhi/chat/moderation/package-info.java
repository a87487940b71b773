/**
 * WeChat content security on generated answers: the text is checked in windows while it streams, a
 * risky answer stops the generation, and its text is withheld from the replay log.
 */
@NullMarked
package tech.plumeintel.shuzhi.chat.moderation;

import org.jspecify.annotations.NullMarked;
