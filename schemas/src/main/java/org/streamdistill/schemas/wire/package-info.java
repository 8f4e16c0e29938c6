/**
 * The one codec every stage uses: Avro records in the Confluent wire format, and the
 * dead-letter records for bytes that cannot be decoded.
 */
package org.streamdistill.schemas.wire;
