package org.streamdistill.deploy.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's processes as configured, before any of them starts. */
class SoakPlatformTest {

  @TempDir
  Path dir;

  @Test
  void shouldGiveTheBrokerAndEveryStageTheExtraJvmFlagsBeforeTheClassPath() throws Exception {
    SoakConfig config = SoakConfig.parse(List.of("--soak.jvm.flags", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"),
        Map.of());

    try (SoakPlatform platform = new SoakPlatform(dir, dir.resolve("bundle"), "token", 2_000, config.jvmFlags())) {
      for (SoakPlatform.Stage stage : SoakPlatform.Stage.values()) {
        List<String> command = platform.process(stage).command();
        assertThat(command.subList(0, command.indexOf("-cp"))).as(stage.name())
            .containsSubsequence("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
      }
    }
    try (SoakPlatform plain = new SoakPlatform(dir.resolve("plain"), dir.resolve("bundle"), "token", 2_000,
        SoakConfig.parse(List.of(), Map.of()).jvmFlags())) {
      assertThat(plain.process(SoakPlatform.Stage.TRAINER).command()).noneMatch(flag -> flag.startsWith("-XX:"));
    }
  }

  @Test
  void shouldRefuseAJvmFlagsSettingThatSetsTheHeap() {
    assertThatThrownBy(() -> SoakConfig.parse(List.of("--soak.jvm.flags", "-Xmx2g"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("soak.jvm.flags").hasMessageContaining("'-Xmx2g' is not allowed here");
  }
}
