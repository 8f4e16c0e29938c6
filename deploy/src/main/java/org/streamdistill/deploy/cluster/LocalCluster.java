package org.streamdistill.deploy.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.deploy.cluster.ClusterLayout.ProcessSpec;
import org.streamdistill.deploy.cluster.ClusterState.ProcessRecord;
import org.streamdistill.evaluator.lag.ConsumerLagMonitor;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.lag.LagTable;
import org.streamdistill.evaluator.lag.MonitoredGroup;

/**
 * A Kafka cluster, a Flink session cluster and every stage on one machine, each process a JVM
 * of its own started from this JVM's class path: 3 KRaft nodes, the registry, a JobManager,
 * TaskManagers, the teacher job submitted with Flink's own CLI, the trainer, the evaluator and
 * ingestion. Processes are started detached (their own session when {@code setsid} exists) and
 * recorded in {@link ClusterState}, so this object can be made again from a new shell to show
 * or stop them. {@link #start}, {@link #kill}, {@link #submitJob} and {@link #stopJobWithSavepoint}
 * are the single steps tests use to inject failures.
 */
public final class LocalCluster {

  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
  private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");
  /**
   * The last Kafka node standing cannot finish its controlled shutdown (no controller quorum is left
   * to record it) and would wait 5 minutes: it is killed after this, and recovers its log at the next start.
   */
  private static final long KAFKA_GRACE_MILLIS = 15_000;
  private static final Path SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid")).stream()
      .filter(Files::isExecutable).findFirst().orElse(null);

  /** The state of one Flink job as the JobManager's {@code /jobs/overview} reports it. */
  /** How often {@link #stopJobWithSavepoint} tries before it gives up. */
  static final int SAVEPOINT_ATTEMPTS = 3;

  public record JobSummary(String id, String name, String state, int runningTasks, int totalTasks) {
    public boolean fullyRunning() {
      return state.equals("RUNNING") && totalTasks > 0 && runningTasks == totalTasks;
    }
  }

  private final LocalClusterConfig config;
  private final ClusterLayout layout;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private ClusterState state;

  /** @param out where progress lines go */
  public LocalCluster(LocalClusterConfig config, PrintStream out) throws IOException {
    this.config = config;
    this.layout = new ClusterLayout(config);
    this.out = out;
    this.state = ClusterState.read(layout.workDir()).orElse(new ClusterState(config.basePort(), null, Map.of()));
  }

  public ClusterLayout layout() {
    return layout;
  }

  public ClusterPorts ports() {
    return layout.ports();
  }

  public synchronized ClusterState state() {
    return state;
  }

  /**
   * Starts everything, in order, each process once the previous ones are ready; on a failure
   * stops what it started and throws. Refuses when processes of this work directory still run.
   */
  public void up() throws IOException, InterruptedException {
    up(true);
  }

  /**
   * Starts Kafka, the registry and Flink and submits the teacher job, without trainer, evaluator
   * and ingestion: what {@code bench --cluster} measures, with nothing else competing for the cores.
   */
  public void upTeacherOnly() throws IOException, InterruptedException {
    up(false);
  }

  private void up(boolean stages) throws IOException, InterruptedException {
    List<String> running = running();
    if (!running.isEmpty()) {
      throw new ClusterException("a cluster is already running in " + layout.workDir() + " (" + String.join(", ",
          running) + "): `bin/streamdistill cluster status` shows it, `bin/streamdistill cluster down` stops it");
    }
    Path jobJar = jobJar();
    requirePortsFree();
    PortCheck.ephemeralRange(PortCheck.LINUX_EPHEMERAL_RANGE)
        .flatMap(range -> PortCheck.ephemeralOverlap(ports(), range))
        .ifPresent(warning -> out.println("cluster: warning: " + warning));
    Files.createDirectories(layout.workDir());
    synchronized (this) {
      state = new ClusterState(config.basePort(), null, Map.of());
      state.write(layout.workDir());
    }
    try {
      layout.writeConfiguration();
      formatKafkaStorage();
      List<String> nodes = new ArrayList<>();
      for (int node = 1; node <= ClusterPorts.KAFKA_NODES; node++) {
        nodes.add(ClusterLayout.kafka(node));
      }
      startAll(nodes);
      awaitCondition("3 Kafka brokers in the cluster", null, () -> brokerCount() == ClusterPorts.KAFKA_NODES);
      startAll(List.of(ClusterLayout.REGISTRY));
      provision();
      startAll(List.of(ClusterLayout.JOBMANAGER));
      List<String> taskManagers = new ArrayList<>();
      for (int tm = 1; tm <= config.taskManagers(); tm++) {
        taskManagers.add(ClusterLayout.taskManager(tm));
      }
      startAll(taskManagers);
      submitJob(jobJar, null, config.teacherParallelism());
      if (stages) {
        startAll(List.of(ClusterLayout.TRAINER, ClusterLayout.EVALUATOR, ClusterLayout.INGEST));
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      out.println("cluster: start-up failed, stopping what was started (logs stay in " + layout.logs() + ")");
      down();
      throw e;
    }
  }

  /** Throws, naming them, when some of the cluster's ports are in use now (before anything starts). */
  public void requirePortsFree() {
    List<Integer> taken = PortCheck.taken(ports());
    if (!taken.isEmpty()) {
      throw new ClusterException("ports " + taken + " are in use on 127.0.0.1 (the cluster needs " + (ports().base() + 1)
          + ".." + ports().ingest() + "): stop what listens there or choose another --base-port");
    }
  }

  /** Starts {@code name} (again) and waits until it is ready: listening, registered or in its group. */
  public void start(String name) throws IOException, InterruptedException {
    startAll(List.of(name));
  }

  private void startAll(List<String> names) throws IOException, InterruptedException {
    List<ProcessSpec> specs = new ArrayList<>();
    for (String name : names) {
      ProcessRecord previous = state().processes().get(name);
      if (previous != null && alive(previous).isPresent()) {
        throw new ClusterException(name + " is already running (pid " + previous.pid() + ")");
      }
      ProcessSpec spec = layout.spec(name, ingestToken());
      Process process = launch(spec, true);
      ProcessRecord record = new ProcessRecord(process.pid(), startMillis(process.toHandle()),
          spec.output().toString(), spec.log().toString(), spec.ports());
      synchronized (this) {
        state = state.withProcess(name, record);
        state.write(layout.workDir());
      }
      out.printf("  started %-14s pid %-8d %s%n", name, process.pid(), spec.log());
      specs.add(spec);
    }
    for (ProcessSpec spec : specs) {
      awaitReady(spec);
    }
  }

  /** kill -9 of {@code name}: no shutdown hook runs. Returns once it has exited. */
  public void kill(String name) throws InterruptedException {
    ProcessRecord record = state().processes().get(name);
    Optional<ProcessHandle> handle = record == null ? Optional.empty() : alive(record);
    if (handle.isEmpty()) {
      throw new ClusterException(name + " is not running");
    }
    handle.get().destroyForcibly();
    waitForExit(handle.get(), Duration.ofSeconds(30));
    out.printf("  killed  %-14s pid %d (kill -9)%n", name, record.pid());
  }

  /**
   * Stops every process, newest first (stages, Flink, registry, then the Kafka nodes together):
   * SIGTERM, then kill -9 after the grace period. Data and logs stay.
   */
  public void down() throws InterruptedException {
    List<List<String>> groups = new ArrayList<>();
    groups.add(List.of(ClusterLayout.INGEST));
    groups.add(List.of(ClusterLayout.EVALUATOR));
    groups.add(List.of(ClusterLayout.TRAINER));
    List<String> taskManagers = state().processes().keySet().stream().filter(n -> n.startsWith("taskmanager-"))
        .toList();
    groups.add(taskManagers);
    groups.add(List.of(ClusterLayout.JOBMANAGER));
    groups.add(List.of(ClusterLayout.REGISTRY));
    // Together: stopped one by one, the last node would wait for a controller quorum that is gone.
    groups.add(state().processes().keySet().stream().filter(n -> n.startsWith("kafka-")).toList());
    for (List<String> group : groups) {
      boolean kafka = !group.isEmpty() && group.get(0).startsWith("kafka-");
      stopTogether(group, kafka ? Math.min(config.graceMillis(), KAFKA_GRACE_MILLIS) : config.graceMillis());
    }
  }

  private void stopTogether(List<String> names, long graceMillis) throws InterruptedException {
    Map<String, ProcessHandle> handles = new java.util.LinkedHashMap<>();
    for (String name : names) {
      ProcessRecord record = state().processes().get(name);
      if (record != null) {
        alive(record).ifPresent(handle -> handles.put(name, handle));
      }
    }
    handles.values().forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    for (Map.Entry<String, ProcessHandle> entry : handles.entrySet()) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (waitForExit(entry.getValue(), Duration.ofNanos(left))) {
        out.printf("  stopped %-14s pid %d%n", entry.getKey(), entry.getValue().pid());
      } else {
        entry.getValue().destroyForcibly();
        waitForExit(entry.getValue(), Duration.ofSeconds(30));
        out.printf("  killed  %-14s pid %d: still running %d ms after SIGTERM%n", entry.getKey(),
            entry.getValue().pid(), graceMillis);
      }
    }
  }

  /** Names of the recorded processes that still run. */
  public List<String> running() {
    return state().processes().entrySet().stream().filter(e -> alive(e.getValue()).isPresent())
        .map(Map.Entry::getKey).toList();
  }

  /** Prints every process, the Flink jobs and the consumer lag; whether everything runs. */
  public boolean status(PrintStream print) {
    ClusterPorts ports = ports();
    print.printf("cluster in %s (base port %d)%n", layout.workDir(), ports.base());
    if (state().processes().isEmpty()) {
      print.println("  no processes recorded: `bin/streamdistill cluster up` starts the cluster");
      return false;
    }
    print.printf("  %-14s %-8s %-9s %-28s %s%n", "process", "pid", "state", "ports / id", "log");
    boolean allUp = true;
    for (Map.Entry<String, ProcessRecord> entry : state().processes().entrySet()) {
      ProcessRecord record = entry.getValue();
      boolean alive = alive(record).isPresent();
      allUp &= alive;
      print.printf("  %-14s %-8d %-9s %-28s %s%n", entry.getKey(), record.pid(), alive ? "running" : "STOPPED",
          record.ports(), record.log());
    }
    print.printf("  Kafka %s | registry %s | Flink REST %s | ingestion %s (token in %s)%n", ports.bootstrapServers(),
        ports.registryUrl(), ports.flinkRestUrl(), ports.ingestUrl(), layout.ingestTokenFile());
    print.println("Flink jobs:");
    try {
      List<JobSummary> jobs = jobs();
      if (jobs.isEmpty()) {
        print.println("  none");
        allUp = false;
      }
      for (JobSummary job : jobs) {
        print.printf("  %s  %-16s %-10s %d/%d tasks running%s%n", job.id(), job.name(), job.state(),
            job.runningTasks(), job.totalTasks(), job.id().equals(state().jobId()) ? "  (submitted by up)" : "");
      }
      allUp &= jobs.stream().anyMatch(j -> j.id().equals(state().jobId()) && j.fullyRunning());
    } catch (IOException e) {
      print.println("  the JobManager does not answer on " + ports.flinkRestUrl() + ": " + e.getMessage());
      allUp = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    print.println("Consumer lag:");
    print.print(lagTable());
    return allUp;
  }

  /**
   * Three samples of the pipeline's groups 2 s apart, as {@code lag --once} prints them: a window
   * longer than the teacher's checkpoint interval and the trainer's commit interval, so that a group
   * that keeps committing is not called STALL.
   */
  private String lagTable() {
    ConsumerLagMonitor.Settings settings = new ConsumerLagMonitor.Settings(ports().bootstrapServers(),
        MonitoredGroup.pipeline(""), Duration.ofSeconds(2), 3, Duration.ofMinutes(5), Duration.ofSeconds(10));
    try (ConsumerLagMonitor monitor = new ConsumerLagMonitor(settings)) {
      LagSnapshot snapshot = monitor.sampleNow();
      for (int i = 1; i < settings.windowSamples(); i++) {
        Thread.sleep(settings.interval().toMillis());
        snapshot = monitor.sampleNow();
      }
      return LagTable.render(snapshot);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "  interrupted\n";
    } catch (RuntimeException e) {
      return "  not available: " + e.getMessage() + "\n";
    }
  }

  /** The jobs the JobManager knows. */
  public List<JobSummary> jobs() throws IOException, InterruptedException {
    JsonNode overview = getJson("/jobs/overview");
    List<JobSummary> jobs = new ArrayList<>();
    for (JsonNode job : overview.path("jobs")) {
      jobs.add(new JobSummary(job.path("jid").asText(), job.path("name").asText(), job.path("state").asText(),
          job.path("tasks").path("running").asInt(), job.path("tasks").path("total").asInt()));
    }
    return jobs;
  }

  /** Submits the teacher job with {@code flink run}, from {@code savepoint} when not null; waits until it runs. */
  public String submitJob(String savepoint) throws IOException, InterruptedException {
    return submitJob(jobJar(), savepoint, config.teacherParallelism());
  }

  /**
   * The same at {@code parallelism} (at most the task slots of the running TaskManagers): from a
   * savepoint of the job at another parallelism, a rescale.
   */
  public String submitJob(String savepoint, int parallelism) throws IOException, InterruptedException {
    return submitJob(jobJar(), savepoint, parallelism);
  }

  private String submitJob(Path jobJar, String savepoint, int parallelism) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("run", "-d", "-m", "127.0.0.1:" + ports().flinkRest(),
        "-p", Integer.toString(parallelism)));
    if (savepoint != null) {
      args.add("-s");
      args.add(savepoint);
    }
    args.add(jobJar.toString());
    args.addAll(layout.jobArguments(config.teacherBundle(), parallelism));
    String output = runCli("run", args);
    Matcher id = JOB_ID.matcher(output);
    if (!id.find()) {
      throw new ClusterException("flink run printed no job id; see " + layout.flinkCli("run", List.of()).output());
    }
    String jobId = id.group(1);
    synchronized (this) {
      state = state.withJob(jobId);
      state.write(layout.workDir());
    }
    out.printf("  submitted the teacher job %s%s%s; waiting for its %d subtask(s) to run%n", jobId,
        savepoint == null ? "" : " from " + savepoint, config.teacherSettings().isEmpty() ? ""
            : " with " + new java.util.TreeMap<>(config.teacherSettings()), parallelism);
    try {
      awaitCondition("teacher job " + jobId + " running", null,
          () -> jobs().stream().anyMatch(j -> j.id().equals(jobId) && j.fullyRunning()));
    } catch (ClusterException e) {
      throw new ClusterException(e.getMessage() + lastJobFailure(jobId));
    }
    return jobId;
  }

  /** The first line of the job's latest failure, as the JobManager reports it, or nothing. */
  private String lastJobFailure(String jobId) {
    try {
      JsonNode entries = getJson("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
      if (entries.isEmpty()) {
        return "";
      }
      String trace = entries.get(0).path("stacktrace").asText();
      return "; its latest failure: " + trace.lines().findFirst().orElse("") + " (full trace: "
          + ports().flinkRestUrl() + "/jobs/" + jobId + "/exceptions and the TaskManagers' logs)";
    } catch (IOException | RuntimeException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /**
   * {@code flink stop --savepointPath}: the job ends after a final savepoint, whose path is returned.
   * A savepoint needs every task running and every sink able to commit, so right after a failure
   * (a TaskManager or Kafka node restarted) it waits up to {@link #SAVEPOINT_ATTEMPTS} times 10 s
   * for the job to run fully again and tries again, as an operator would; the job keeps running
   * after a declined savepoint.
   */
  public String stopJobWithSavepoint() throws IOException, InterruptedException {
    String jobId = state().jobId();
    if (jobId == null) {
      throw new ClusterException("no teacher job was submitted");
    }
    String output = null;
    for (int attempt = 1; output == null; attempt++) {
      awaitFullyRunning(jobId, Duration.ofMinutes(2));
      try {
        output = runCli("stop", List.of("stop", "--savepointPath", layout.savepoints().toUri().toString(),
            "-m", "127.0.0.1:" + ports().flinkRest(), jobId));
      } catch (ClusterException e) {
        if (attempt >= SAVEPOINT_ATTEMPTS) {
          throw e;
        }
        out.printf("  the savepoint of %s failed (attempt %d of %d); trying again in 10 s%n", jobId, attempt,
            SAVEPOINT_ATTEMPTS);
        Thread.sleep(10_000);
      }
    }
    Matcher path = SAVEPOINT.matcher(output);
    if (!path.find()) {
      throw new ClusterException("flink stop printed no savepoint path; see "
          + layout.flinkCli("stop", List.of()).output());
    }
    out.printf("  stopped the teacher job %s with savepoint %s%n", jobId, path.group(1));
    return path.group(1);
  }

  /** Waits until the job runs all its tasks; a job that does not within {@code timeout} is reported. */
  private void awaitFullyRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<JobSummary> jobs;
      try {
        jobs = jobs();
      } catch (IOException e) {
        jobs = List.of(); // the JobManager busy restarting the job: ask again
      }
      if (jobs.stream().anyMatch(j -> j.id().equals(jobId) && j.fullyRunning())) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new ClusterException("the teacher job " + jobId + " did not run all its tasks within " + timeout
            + lastJobFailure(jobId));
      }
      Thread.sleep(1_000);
    }
  }

  /** The job jar: the configured one, or the one {@code -Pcluster} builds; a clear message when missing. */
  public Path jobJar() {
    if (!config.jobJar().isEmpty()) {
      Path jar = Path.of(config.jobJar());
      if (!Files.isRegularFile(jar)) {
        throw new ClusterException(LocalClusterConfig.JOB_JAR + " " + jar + " does not exist");
      }
      return jar.toAbsolutePath();
    }
    Path target = Path.of("teacher-stream", "target");
    File[] jars = target.toFile().listFiles((dir, f) -> f.startsWith("teacher-stream-") && f.endsWith("-job.jar"));
    if (jars == null || jars.length == 0) {
      throw new ClusterException("the teacher job jar " + target.resolve("teacher-stream-<version>-job.jar")
          + " is missing: build it from the root of the checkout with "
          + "`mvn -B -q -DskipTests -Pcluster -pl teacher-stream -am package` (bin/streamdistill cluster up builds it "
          + "when it is missing), or name one with --job-jar FILE");
    }
    Path jar = jars[0].toPath().toAbsolutePath();
    Path plain = Path.of(jar.toString().replace("-job.jar", ".jar"));
    if (Files.isRegularFile(plain) && plain.toFile().lastModified() > jar.toFile().lastModified()) {
      out.println("cluster: warning: " + jar.getFileName() + " is older than teacher-stream's classes; rebuild it "
          + "with `mvn -B -q -DskipTests -Pcluster -pl teacher-stream -am package` to run the current code");
    }
    return jar;
  }

  private String runCli(String verb, List<String> args) throws IOException, InterruptedException {
    ProcessSpec spec = layout.flinkCli(verb, args);
    Process process = launch(spec, false);
    if (!process.waitFor(config.startTimeoutMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new ClusterException("flink " + verb + " did not finish within " + config.startTimeoutMillis()
          + " ms; see " + spec.output() + " and " + spec.log());
    }
    String output = Files.readString(spec.output(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new ClusterException("flink " + verb + " failed (exit " + process.exitValue() + "):\n" + tail(output, 15)
          + "\nsee " + spec.output() + " and " + spec.log());
    }
    return output;
  }

  private void provision() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(captured, true, StandardCharsets.UTF_8);
    int code = ProvisionCommand.run(List.of("--bootstrap-servers", ports().bootstrapServers(),
        "--replication-factor", Integer.toString(ClusterPorts.KAFKA_NODES)), print, print);
    String text = captured.toString(StandardCharsets.UTF_8);
    if (code != 0) {
      throw new ClusterException("provisioning the topics failed (exit " + code + "):\n" + text);
    }
    String[] lines = text.strip().split("\n");
    out.println("  topics (replication factor 3, min ISR 2): " + lines[lines.length - 1]);
  }

  /** Formats each node's storage once, with one cluster id; a node that has data keeps it. */
  private void formatKafkaStorage() throws IOException, InterruptedException {
    String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
    List<Process> formats = new ArrayList<>();
    List<Integer> formatted = new ArrayList<>();
    for (int node = 1; node <= ClusterPorts.KAFKA_NODES; node++) {
      if (Files.exists(layout.kafkaData(node).resolve("meta.properties"))) {
        continue;
      }
      Path output = layout.logs().resolve(ClusterLayout.kafka(node) + "-format.out");
      formats.add(new ProcessBuilder(layout.formatCommand(node, clusterId)).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start());
      formatted.add(node);
    }
    if (formatted.isEmpty()) {
      out.println("  Kafka storage formatted already: resuming on its data");
    }
    for (int i = 0; i < formats.size(); i++) {
      Process format = formats.get(i);
      if (!format.waitFor(config.startTimeoutMillis(), TimeUnit.MILLISECONDS) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new ClusterException("formatting the storage of " + ClusterLayout.kafka(formatted.get(i)) + " failed; see "
            + layout.logs().resolve(ClusterLayout.kafka(formatted.get(i)) + "-format.out"));
      }
    }
  }

  private void awaitReady(ProcessSpec spec) throws InterruptedException {
    String name = spec.name();
    ClusterPorts ports = ports();
    if (name.startsWith("kafka-")) {
      int node = Integer.parseInt(name.substring("kafka-".length()));
      awaitCondition(name + " listening on " + ports.kafka(node), name, () -> listening(ports.kafka(node)));
    } else if (name.startsWith("taskmanager-")) {
      awaitCondition(name + " registered at the JobManager", name, () -> {
        for (JsonNode tm : getJson("/taskmanagers").path("taskmanagers")) {
          if (tm.path("id").asText().equals(spec.ports())) {
            return true;
          }
        }
        return false;
      });
    } else {
      switch (name) {
        case ClusterLayout.REGISTRY -> awaitCondition(name + " answering " + ports.registryUrl(), name,
            () -> httpOk(ports.registryUrl() + "/subjects"));
        case ClusterLayout.JOBMANAGER -> awaitCondition(name + " answering " + ports.flinkRestUrl(), name,
            () -> httpOk(ports.flinkRestUrl() + "/overview"));
        case ClusterLayout.INGEST -> awaitCondition(name + " listening on " + ports.ingest(), name,
            () -> listening(ports.ingest()));
        case ClusterLayout.TRAINER, ClusterLayout.EVALUATOR -> {
          String group = ClusterLayout.groupOf(name);
          awaitCondition(name + " in consumer group " + group, name, () -> groups().contains(group));
        }
        default -> throw new IllegalArgumentException(name);
      }
    }
  }

  /** A readiness check; an exception means "not yet". */
  @FunctionalInterface
  private interface Check {
    boolean ready() throws Exception;
  }

  /** Polls {@code check} until it holds; fails early with the process's output when {@code process} dies. */
  private void awaitCondition(String what, String process, Check check) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.startTimeoutMillis());
    while (true) {
      try {
        if (check.ready()) {
          return;
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception notYet) {
        LOG.debug("not yet: {}: {}", what, notYet.toString());
      }
      if (process != null) {
        ProcessRecord record = state().processes().get(process);
        if (alive(record).isEmpty()) {
          throw new ClusterException(process + " exited during start-up:\n" + tail(readQuietly(record.output()), 15)
              + "\nsee " + record.output() + " and " + record.log());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new ClusterException("gave up waiting for " + what + " after " + config.startTimeoutMillis()
            + " ms (" + LocalClusterConfig.START_TIMEOUT_MS + ")"
            + (process == null ? "" : "; see " + state().processes().get(process).log()));
      }
      Thread.sleep(250);
    }
  }

  private int brokerCount() throws Exception {
    try (Admin admin = admin()) {
      return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
    }
  }

  private Set<String> groups() throws Exception {
    try (Admin admin = admin()) {
      return admin.listGroups().all().get(5, TimeUnit.SECONDS).stream().map(GroupListing::groupId)
          .collect(Collectors.toSet());
    }
  }

  private Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ports().bootstrapServers());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    return Admin.create(props);
  }

  private JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ports().flinkRestUrl() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }

  private boolean httpOk(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The ingestion token: made once per work directory, readable by its owner only, given through the environment. */
  private String ingestToken() throws IOException {
    Path file = layout.ingestTokenFile();
    if (Files.isRegularFile(file)) {
      return Files.readString(file).strip();
    }
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Files.createDirectories(file.getParent());
    Files.writeString(file, token + "\n");
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      LOG.warn("could not restrict {} to its owner on this file system", file);
    }
    return token;
  }

  /** Starts a spec: detached in its own session when {@code setsid} exists, output appended or rewritten. */
  private static Process launch(ProcessSpec spec, boolean detached) throws IOException {
    List<String> command = new ArrayList<>();
    if (detached && SETSID != null) {
      // Its own session: a Ctrl-C or a closed terminal of the shell that ran `cluster up` does not reach it.
      command.add(SETSID.toString());
    }
    command.addAll(spec.command());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(detached ? ProcessBuilder.Redirect.appendTo(spec.output().toFile())
            : ProcessBuilder.Redirect.to(spec.output().toFile()));
    File devNull = new File("/dev/null");
    if (devNull.exists()) {
      builder.redirectInput(devNull);
    }
    // The caller's own STREAMDISTILL_* settings are not the stages' settings.
    builder.environment().keySet().removeIf(k -> k.startsWith("STREAMDISTILL_"));
    builder.environment().putAll(spec.environment());
    return builder.start();
  }

  private static long startMillis(ProcessHandle handle) {
    return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  /** The recorded process, if it still runs and is the same process (not another one that got its pid). */
  static Optional<ProcessHandle> alive(ProcessRecord record) {
    if (record == null) {
      return Optional.empty();
    }
    return ProcessHandle.of(record.pid()).filter(ProcessHandle::isAlive).filter(handle -> record.startedAtMillis() == 0
        || handle.info().startInstant().map(i -> Math.abs(i.toEpochMilli() - record.startedAtMillis()) < 2_000)
            .orElse(true));
  }

  private static boolean waitForExit(ProcessHandle handle, Duration timeout) throws InterruptedException {
    try {
      handle.onExit().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !handle.isAlive();
    } catch (ExecutionException e) {
      return !handle.isAlive();
    }
  }

  private static String readQuietly(String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String tail(String text, int lines) {
    String[] all = text.strip().split("\n");
    return String.join("\n", java.util.Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
  }
}
