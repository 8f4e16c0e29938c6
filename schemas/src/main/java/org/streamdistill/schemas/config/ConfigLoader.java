package org.streamdistill.schemas.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Turns a properties file, the environment and command-line flags into the settings of one
 * app, validated against its {@link ConfigDef}. Precedence, lowest first: defaults, file,
 * environment ({@code PREFIX_KEY_NAME}, dots and dashes as underscores), flags. Unknown
 * keys and invalid values fail with a {@link ConfigException} that names the key.
 *
 * <p>Flags are {@code --key value} or {@code --key=value}, where {@code key} is a config key
 * or one of the app's short aliases; {@code --config FILE} names the file. {@code --config} may
 * be given more than once (a stage's settings and a cluster's shared security settings, say):
 * the files are read in order, a later one winning. {@code --set
 * key=value}, the evaluator's old syntax, still works for one release, with a warning.
 *
 * <p>An app may accept keys under pass-through prefixes (the evaluator's {@code
 * evaluator.streams.}: settings handed to Kafka Streams, checked by the app) and old names of
 * renamed keys: an old name still works, with a warning that names the new key, and loses to
 * the new name when both are given.
 */
public final class ConfigLoader {

  private final ConfigDef definition;
  private final String envPrefix;
  private final Map<String, String> aliases;
  private final List<String> passThroughPrefixes;
  private final Map<String, String> renamed;
  private final boolean kafkaClients;

  /**
   * @param definition the app's keys
   * @param envPrefix environment variables starting with {@code envPrefix + "_"} are read
   * @param aliases short flag names (without dashes) to config keys
   */
  public ConfigLoader(ConfigDef definition, String envPrefix, Map<String, String> aliases) {
    this(definition, envPrefix, aliases, List.of(), Map.of());
  }

  /**
   * @param passThroughPrefixes keys starting with one of these are accepted as they are
   * @param renamed old key to new key: the old one still works, with a warning
   */
  public ConfigLoader(ConfigDef definition, String envPrefix, Map<String, String> aliases,
                      List<String> passThroughPrefixes, Map<String, String> renamed) {
    this(definition, envPrefix, aliases, passThroughPrefixes, renamed, false);
  }

  private ConfigLoader(ConfigDef definition, String envPrefix, Map<String, String> aliases,
                       List<String> passThroughPrefixes, Map<String, String> renamed, boolean kafkaClients) {
    this.definition = definition;
    this.envPrefix = envPrefix;
    this.aliases = Map.copyOf(aliases);
    this.passThroughPrefixes = List.copyOf(passThroughPrefixes);
    this.renamed = Map.copyOf(renamed);
    this.kafkaClients = kafkaClients;
  }

  /**
   * This loader, also accepting {@link KafkaClientSettings} ({@code kafka.<client setting>}) for a
   * command that opens Kafka clients: each is checked at load time (a setting no Kafka client knows,
   * or one the stages set themselves, fails naming the key), reachable from the environment as
   * {@code STREAMDISTILL_KAFKA_SECURITY_PROTOCOL} (underscores as dots), listed by {@link #help()},
   * and kept, as a string, in what {@link #load} and {@link #parse} return.
   */
  public ConfigLoader withKafkaClientSettings() {
    List<String> prefixes = new ArrayList<>(passThroughPrefixes);
    prefixes.add(KafkaClientSettings.PREFIX);
    return new ConfigLoader(definition, envPrefix, aliases, prefixes, renamed, true);
  }

  /** The raw, not yet validated settings from all sources. */
  public Map<String, String> collect(List<String> args, Map<String, String> env) {
    return collect(args, env, warning -> { });
  }

  /** The same, handing a warning to {@code warnings} for each deprecated key or flag used. */
  public Map<String, String> collect(List<String> args, Map<String, String> env,
                                     java.util.function.Consumer<String> warnings) {
    List<String> files = new ArrayList<>();
    Map<String, String> flags = parseFlags(args, files, warnings);
    Map<String, String> merged = new LinkedHashMap<>();
    for (String file : files) {
      merged.putAll(readFile(Path.of(file)));
    }
    merged.putAll(fromEnvironment(env));
    merged.putAll(flags);
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : merged.entrySet()) {
      String key = entry.getKey();
      String newKey = renamed.get(key);
      if (newKey != null) {
        warnings.accept("setting '" + key + "' is deprecated and will be removed in the next release: use '"
            + newKey + "'");
        if (!merged.containsKey(newKey)) {
          result.put(newKey, entry.getValue());
        }
        continue;
      }
      if (kafkaClients && key.startsWith(KafkaClientSettings.PREFIX) && !definition.names().contains(key)) {
        KafkaClientSettings.check(key);
      }
      if (!definition.names().contains(key) && passThroughPrefixes.stream().noneMatch(key::startsWith)) {
        throw new ConfigException("unknown setting '" + key + "'; known settings: "
            + new java.util.TreeSet<>(definition.names())
            + (passThroughPrefixes.isEmpty() ? "" : ", and settings under " + passThroughPrefixes));
      }
      result.put(key, entry.getValue());
    }
    return result;
  }

  /**
   * The settings given in {@code args} and {@code env} (files, environment, flags; not the
   * defaults), as one line for a stage's log at start: {@code key=value} in key order, the value of
   * a secret (a {@code PASSWORD} key, a secret Kafka client setting) shown as {@code [hidden]}. So a
   * log says which file or flag took effect without holding a password.
   */
  public String given(List<String> args, Map<String, String> env) {
    StringBuilder line = new StringBuilder();
    new java.util.TreeMap<>(collect(args, env)).forEach((key, value) -> line.append(line.length() == 0 ? "" : ", ")
        .append(key).append('=').append(isSecret(key) ? "[hidden]" : value));
    return line.length() == 0 ? "none (every setting at its default)" : line.toString();
  }

  /**
   * Whether the value of {@code key} must never be shown: one of the app's {@code PASSWORD} keys,
   * or a secret Kafka client setting ({@link KafkaClientSettings#isSecret}).
   */
  public boolean isSecret(String key) {
    ConfigDef.ConfigKey defined = definition.configKeys().get(key);
    return defined != null ? defined.type == ConfigDef.Type.PASSWORD
        : key.startsWith(KafkaClientSettings.PREFIX) && KafkaClientSettings.isSecret(key);
  }

  /**
   * Parses and validates; the result holds every key, with defaults filled in, and the settings
   * under pass-through prefixes as the strings given.
   */
  public Map<String, Object> load(List<String> args, Map<String, String> env) {
    return parse(collect(args, env));
  }

  /**
   * Validates settings already collected (as the embedded demo and tests pass them): the keys of
   * the definition, defaults filled in, plus the settings under pass-through prefixes, checked as
   * {@link #collect} checks them. Other keys are ignored, as {@link ConfigDef#parse} ignores them.
   */
  public Map<String, Object> parse(Map<String, String> settings) {
    Map<String, Object> values = new LinkedHashMap<>(definition.parse(settings));
    for (Map.Entry<String, String> entry : settings.entrySet()) {
      String key = entry.getKey();
      if (definition.names().contains(key) || passThroughPrefixes.stream().noneMatch(key::startsWith)) {
        continue;
      }
      if (kafkaClients && key.startsWith(KafkaClientSettings.PREFIX)) {
        KafkaClientSettings.check(key);
      }
      values.put(key, entry.getValue());
    }
    return values;
  }

  /** The flags; the files of {@code --config} flags, in order, go to {@code files}. */
  private Map<String, String> parseFlags(List<String> args, List<String> files,
                                         java.util.function.Consumer<String> warnings) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new ConfigException("unexpected argument '" + arg + "': settings are given as --key value");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
          throw new ConfigException("flag --" + name + " needs a value");
        }
        value = args.get(++i);
      }
      if (name.equals("set")) {
        int split = value.indexOf('=');
        if (split <= 0) {
          throw new ConfigException("--set expects key=value, got '" + value + "'");
        }
        warnings.accept("--set is deprecated and will be removed in the next release: use --"
            + value.substring(0, split).trim() + " " + value.substring(split + 1).trim());
        flags.put(value.substring(0, split).trim(), value.substring(split + 1).trim());
        continue;
      }
      if (name.equals("config")) {
        files.add(value);
        continue;
      }
      flags.put(aliases.getOrDefault(name, name), value);
    }
    return flags;
  }

  /** Where settings come from, for the head of {@link #help()}. */
  private String sources() {
    String example = definition.names().stream().sorted().findFirst().orElse("some.key");
    String environment = envPrefix == null || envPrefix.isEmpty() ? ""
        : String.format("environment variables (%s for %s), ", environmentName(example), example);
    return String.format("  (from, lowest first: defaults, --config FILE (Java properties; repeatable, a later file "
        + "wins), %sflags --key value or --key=value)", environment);
  }

  private Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    if (envPrefix == null || envPrefix.isEmpty()) {
      return values;
    }
    for (String key : definition.names()) {
      String value = env.get(environmentName(key));
      if (value != null) {
        values.put(key, value);
      }
    }
    // Settings under a pass-through prefix are not known in advance: STREAMDISTILL_KAFKA_SASL_MECHANISM
    // is kafka.sasl.mechanism. Kafka's client and Streams settings are dotted lower case, never dashed,
    // so every underscore after the prefix is a dot.
    java.util.Set<String> definedNames = new java.util.HashSet<>();
    definition.names().forEach(key -> definedNames.add(environmentName(key)));
    for (String prefix : passThroughPrefixes) {
      String variablePrefix = environmentName(prefix);
      for (Map.Entry<String, String> entry : new java.util.TreeMap<>(env).entrySet()) {
        String variable = entry.getKey();
        if (variable.startsWith(variablePrefix) && variable.length() > variablePrefix.length()
            && !definedNames.contains(variable)) {
          values.put(prefix + variable.substring(variablePrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
              entry.getValue());
        }
      }
    }
    return values;
  }

  /** The environment variable that sets {@code key}: {@code PREFIX_KEY_NAME}. */
  public String environmentName(String key) {
    return envPrefix + "_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static Map<String, String> readFile(Path path) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(path)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      values.put(name, properties.getProperty(name).trim());
    }
    return values;
  }

  /** ", valid: ..." for a validator that says what it accepts; nothing for an anonymous one. */
  static String describe(ConfigDef.Validator validator) {
    if (validator == null) {
      return "";
    }
    String words = validator.toString();
    return words == null || words.contains("$$Lambda") || words.contains("$Lambda") || words.contains("@")
        ? "" : ", valid: " + words;
  }

  /** One line per key: name, type, default, documentation; for --help. */
  public String help() {
    List<String> lines = new ArrayList<>();
    lines.add(sources());
    Map<String, String> aliasByKey = new LinkedHashMap<>();
    aliases.forEach((alias, key) -> aliasByKey.put(key, alias));
    for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
      String alias = aliasByKey.containsKey(key.name) ? " (--" + aliasByKey.get(key.name) + ")" : "";
      String def = key.hasDefault() ? String.valueOf(key.defaultValue) : "required";
      if (key.type == ConfigDef.Type.PASSWORD && key.hasDefault() && key.defaultValue != null) {
        def = "[hidden]";
      }
      String valid = describe(key.validator);
      lines.add(String.format("  --%s%s  [%s, default %s%s]%n      %s", key.name, alias,
          key.type.name().toLowerCase(Locale.ROOT), def, valid, key.documentation));
    }
    if (kafkaClients) {
      lines.add(KafkaClientSettings.help());
    }
    return String.join(System.lineSeparator(), lines);
  }
}
