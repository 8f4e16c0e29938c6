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
 * or one of the app's short aliases; {@code --config FILE} names the file.
 */
public final class ConfigLoader {

  private final ConfigDef definition;
  private final String envPrefix;
  private final Map<String, String> aliases;

  /**
   * @param definition the app's keys
   * @param envPrefix environment variables starting with {@code envPrefix + "_"} are read
   * @param aliases short flag names (without dashes) to config keys
   */
  public ConfigLoader(ConfigDef definition, String envPrefix, Map<String, String> aliases) {
    this.definition = definition;
    this.envPrefix = envPrefix;
    this.aliases = Map.copyOf(aliases);
  }

  /** The raw, not yet validated settings from all sources. */
  public Map<String, String> collect(List<String> args, Map<String, String> env) {
    Map<String, String> flags = parseFlags(args);
    Map<String, String> merged = new LinkedHashMap<>();
    String file = flags.remove("config");
    if (file != null) {
      merged.putAll(readFile(Path.of(file)));
    }
    merged.putAll(fromEnvironment(env));
    merged.putAll(flags);
    for (String key : merged.keySet()) {
      if (!definition.names().contains(key)) {
        throw new ConfigException("unknown setting '" + key + "'; known settings: " + new java.util.TreeSet<>(definition.names()));
      }
    }
    return merged;
  }

  /** Parses and validates; the result holds every key, with defaults filled in. */
  public Map<String, Object> load(List<String> args, Map<String, String> env) {
    return definition.parse(collect(args, env));
  }

  private Map<String, String> parseFlags(List<String> args) {
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
      String key = name.equals("config") ? "config" : aliases.getOrDefault(name, name);
      flags.put(key, value);
    }
    return flags;
  }

  private Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    if (envPrefix == null || envPrefix.isEmpty()) {
      return values;
    }
    for (String key : definition.names()) {
      String variable = envPrefix + "_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
      String value = env.get(variable);
      if (value != null) {
        values.put(key, value);
      }
    }
    return values;
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

  /** One line per key: name, type, default, documentation; for --help. */
  public String help() {
    List<String> lines = new ArrayList<>();
    Map<String, String> aliasByKey = new LinkedHashMap<>();
    aliases.forEach((alias, key) -> aliasByKey.put(key, alias));
    for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
      String alias = aliasByKey.containsKey(key.name) ? " (--" + aliasByKey.get(key.name) + ")" : "";
      String def = key.hasDefault() ? String.valueOf(key.defaultValue) : "required";
      lines.add(String.format("  --%s%s  [%s, default %s]%n      %s", key.name, alias,
          key.type.name().toLowerCase(Locale.ROOT), def, key.documentation));
    }
    return String.join(System.lineSeparator(), lines);
  }
}
