/**
 * Keeping a stage running: a supervisor that starts a failed stage again after a bounded,
 * growing pause, and the rule that sorts failures a restart can fix from those it cannot.
 */
package org.streamdistill.schemas.lifecycle;
