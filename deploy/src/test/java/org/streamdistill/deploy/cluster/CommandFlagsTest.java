package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandFlagsTest {

  private static final List<String> KNOWN = List.of("bootstrap-servers", "replication-factor");

  @Test
  void shouldReadFlagsGivenAsSeparateOrJoinedValues() {
    // Given both spellings of a flag
    // When parsed
    CommandFlags flags = CommandFlags.parse("provision",
        List.of("--bootstrap-servers", "k1:9092,k2:9092", "--replication-factor=3"), KNOWN);

    // Then both values are read
    assertThat(flags.string("bootstrap-servers")).contains("k1:9092,k2:9092");
    assertThat(flags.integer("replication-factor", 1, 10)).contains(3);
  }

  @Test
  void shouldFallBackToDefaultsForAbsentFlags() {
    // Given no flags
    CommandFlags flags = CommandFlags.parse("provision", List.of(), KNOWN);

    // Then nothing is read and defaults apply
    assertThat(flags.string("bootstrap-servers")).isEmpty();
    assertThat(flags.string("bootstrap-servers", "fallback")).isEqualTo("fallback");
    assertThat(flags.integer("replication-factor", 1, 10)).isEqualTo(Optional.empty());
  }

  @Test
  void shouldNameTheUnknownFlagAndTheKnownOnes() {
    assertThatThrownBy(() -> CommandFlags.parse("provision", List.of("--replicas", "3"), KNOWN))
        .isInstanceOf(CommandFlags.UsageException.class)
        .hasMessage("unknown flag --replicas; provision takes --bootstrap-servers, --replication-factor");
  }

  @Test
  void shouldNameAFlagWithoutValue() {
    assertThatThrownBy(() -> CommandFlags.parse("provision", List.of("--bootstrap-servers", "--replication-factor", "3"),
        KNOWN))
        .isInstanceOf(CommandFlags.UsageException.class)
        .hasMessage("flag --bootstrap-servers needs a value");
  }

  @Test
  void shouldRejectAPositionalArgument() {
    assertThatThrownBy(() -> CommandFlags.parse("provision", List.of("k1:9092"), KNOWN))
        .isInstanceOf(CommandFlags.UsageException.class)
        .hasMessage("unexpected argument 'k1:9092'; flags are --name value");
  }

  @Test
  void shouldNameTheFlagAndTheRangeOfAnInvalidInteger() {
    CommandFlags flags = CommandFlags.parse("provision", List.of("--replication-factor", "zero"), KNOWN);

    assertThatThrownBy(() -> flags.integer("replication-factor", 1, 32767))
        .isInstanceOf(CommandFlags.UsageException.class)
        .hasMessage("--replication-factor must be an integer from 1 to 32767, got 'zero'");
  }

  @Test
  void shouldRejectAnIntegerOutsideTheRange() {
    CommandFlags flags = CommandFlags.parse("registry", List.of("--replication-factor", "0"), KNOWN);

    assertThatThrownBy(() -> flags.integer("replication-factor", 1, 32767))
        .hasMessage("--replication-factor must be an integer from 1 to 32767, got '0'");
  }
}
