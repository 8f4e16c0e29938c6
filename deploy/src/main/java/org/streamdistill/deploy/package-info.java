/** The command-line entry point of {@code bin/streamdistill}. */
package org.streamdistill.deploy;
