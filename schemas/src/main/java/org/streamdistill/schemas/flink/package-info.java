/** Flink serialization adapters of the wire codec (flink-core is a provided dependency). */
package org.streamdistill.schemas.flink;
