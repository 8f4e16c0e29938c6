package org.streamdistill.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamdistill.deploy.bench.BenchConfig;
import org.streamdistill.deploy.demo.DemoConfig;
import org.streamdistill.deploy.soak.SoakConfig;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.console.ConsoleConfig;
import org.streamdistill.evaluator.lag.LagConfig;
import org.streamdistill.producers.dataset.DatasetReplayConfig;
import org.streamdistill.producers.experiment.TopicReplayConfig;
import org.streamdistill.producers.ingest.IngestConfig;
import org.streamdistill.producers.replay.ReplayConfig;
import org.streamdistill.student.serving.ServerConfig;
import org.streamdistill.student.training.TrainerConfig;
import org.streamdistill.teacher.fit.FitOptions;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * Every {@code bin/streamdistill} command line in the READMEs' code blocks, parsed by the
 * settings loader of its command: a flag the command does not know (a renamed key, a typo)
 * fails here instead of in front of a newcomer. Values are checked by name only (a README's
 * {@code $work/...} paths and hosts like {@code kafka-1} need not exist here).
 */
class ReadmeCommandsTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Map<String, String> NO_ENV = Map.of();

  /** One README command: where it is and its words after {@code bin/streamdistill}. */
  record ReadmeCommand(String where, List<String> words) {
    @Override
    public String toString() {
      return where + ": " + String.join(" ", words);
    }
  }

  static List<ReadmeCommand> commands() throws IOException {
    List<ReadmeCommand> commands = new ArrayList<>();
    for (Path readme : List.of(ROOT.resolve("README.md"), ROOT.resolve("deploy/cluster/README.md"),
        ROOT.resolve("deploy/k8s/README.md"))) {
      List<String> lines = Files.readAllLines(readme);
      boolean inBlock = false;
      StringBuilder pending = new StringBuilder();
      int start = 0;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.trim().startsWith("```")) {
          inBlock = !inBlock;
          continue;
        }
        if (!inBlock) {
          continue;
        }
        if (pending.length() == 0) {
          start = i + 1;
        }
        if (line.endsWith("\\")) {
          pending.append(line, 0, line.length() - 1).append(' ');
          continue;
        }
        pending.append(line);
        String command = pending.toString().trim();
        pending.setLength(0);
        List<String> words = words(command);
        int at = words.indexOf("bin/streamdistill");
        // a command: only environment assignments (JAVA_OPTS=...) may stand before it
        if (command.startsWith("#") || at < 0 || at + 1 >= words.size()
            || words.subList(0, at).stream().anyMatch(w -> !w.matches("[A-Z_][A-Z0-9_]*=.*"))) {
          continue;
        }
        commands.add(new ReadmeCommand(ROOT.relativize(readme) + ":" + start, words.subList(at + 1, words.size())));
      }
    }
    return commands;
  }

  @org.junit.jupiter.api.Test
  void shouldFindTheCommandsOfBothReadmes() throws IOException {
    assertThat(commands()).extracting(c -> c.words().get(0))
        .contains("demo", "ingest", "replay", "provision", "registry", "teacher-job", "trainer", "evaluator", "fit",
            "cluster", "k8s-topics")
        .hasSizeGreaterThanOrEqualTo(15);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void shouldBeAcceptedByItsCommandsSettings(ReadmeCommand command) throws Exception {
    List<String> words = new ArrayList<>(command.words());
    String name = words.remove(0);
    if (name.equals("help") || words.contains("--help")) {
      return;
    }
    if (name.equals("bench") && !words.isEmpty() && List.of("selection", "teachers").contains(words.get(0))) {
      name = name + " " + words.remove(0);
    }
    if (name.equals("replay") && !words.isEmpty() && !words.get(0).startsWith("--")) {
      name = name + " " + words.remove(0);
    }
    if (name.equals("cluster")) {
      assertThat(words).as("cluster needs an action").isNotEmpty();
      name = name + " " + words.remove(0);
    }
    List<String> args = withRootConfigFiles(words);
    Consumer<List<String>> loader = switch (name) {
      case "demo" -> a -> DemoConfig.parse(a, NO_ENV);
      case "bench" -> a -> BenchConfig.LOADER.collect(a.stream().filter(w -> !w.equals("--quick")
          && !w.equals("--cluster")).toList(), NO_ENV);
      case "bench selection" -> a -> org.streamdistill.deploy.bench.SelectionBenchConfig.parse(a, NO_ENV);
      case "bench teachers" -> a -> org.streamdistill.deploy.bench.TeacherOptionsConfig.parse(a, NO_ENV);
      case "soak" -> a -> SoakConfig.LOADER.collect(a, NO_ENV);
      case "fit" -> a -> {
        try {
          FitOptions.parse(a);
        } catch (Exception e) {
          throw new IllegalArgumentException(e.getMessage(), e);
        }
      };
      case "replay", "replay clinc150" -> a -> ReplayConfig.LOADER.collect(a, NO_ENV);
      case "replay dataset" -> a -> DatasetReplayConfig.LOADER.collect(a, NO_ENV);
      case "replay topic" -> a -> TopicReplayConfig.LOADER.collect(a, NO_ENV);
      case "ingest" -> a -> IngestConfig.LOADER.collect(a, NO_ENV);
      case "provision" -> a -> ClusterCommandConfig.PROVISION_LOADER.collect(a, NO_ENV);
      case "registry" -> a -> ClusterCommandConfig.REGISTRY_LOADER.collect(a, NO_ENV);
      case "teacher-job" -> a -> TeacherJobConfig.LOADER.collect(a, NO_ENV);
      case "trainer" -> a -> TrainerConfig.LOADER.collect(a, NO_ENV);
      case "evaluator" -> a -> EvaluatorConfig.LOADER.collect(a, NO_ENV,
          warning -> { throw new AssertionError("README uses a deprecated form: " + warning); });
      case "serve" -> a -> ServerConfig.LOADER.collect(a, NO_ENV);
      case "cluster up", "cluster status", "cluster down" -> a -> LocalClusterConfig.parse(a, NO_ENV);
      case "lag" -> a -> LagConfig.parse(a, NO_ENV,
          warning -> { throw new AssertionError("README uses a deprecated form: " + warning); });
      case "console" -> a -> ConsoleConfig.parse(a, NO_ENV);
      case "compare" -> a -> org.streamdistill.evaluator.compare.CompareConfig.parse(a, NO_ENV);
      case "experiment" -> a -> org.streamdistill.deploy.experiment.ExperimentConfig.parse(a, NO_ENV);
      // It takes no settings; the README redirects its output into the committed file.
      case "k8s-topics" -> a -> assertThat(a.subList(0, a.contains(">") ? a.indexOf(">") : a.size())).isEmpty();
      default -> throw new AssertionError("README names a command that does not exist: " + name);
    };

    loader.accept(args);

    assertThat(name).isNotBlank();
  }

  /** {@code --config deploy/cluster/x.properties} is read from the checkout; an absent file is left out. */
  private static List<String> withRootConfigFiles(List<String> words) {
    List<String> args = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      if (words.get(i).equals("--config") && i + 1 < words.size()) {
        Path file = ROOT.resolve(words.get(++i));
        if (Files.isRegularFile(file)) {
          args.add("--config");
          args.add(file.toString());
        }
        continue;
      }
      args.add(words.get(i));
    }
    return args;
  }

  /** Shell words up to the first redirection, pipe or '&'; quotes removed, $(...) kept as text. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else if ((c == '>' || c == '|' || c == '&' || c == ';' || c == '#') && !inWord) {
        break;
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
